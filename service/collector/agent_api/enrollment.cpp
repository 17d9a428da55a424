#include "service/collector/agent_api/enrollment.h"

#include "common/crypto/pki.h"
#include "platform/logging.h"
#include "service/collector/agent_api/agent_jobs.h"
#include "service/collector/trust/crypto_util.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kAgentIdBytes = 16;  // 128-bit random agent ids

class EnrollJob final : public WriteJob {
 public:
  EnrollJob(EnrollParams params, std::string cert_pem, std::string ca_pem, RetryAfterRange retry,
            Responder respond)
      : params_(std::move(params)),
        cert_pem_(std::move(cert_pem)),
        ca_pem_(std::move(ca_pem)),
        retry_(retry),
        respond_(std::move(respond)) {}

  size_t costBytes() const override { return size_t{16} * 1024; }

  Status apply(WriteTxn& txn) override {
    XIAOAN_ASSIGN_OR_RETURN(outcome_, txn.enroll(params_));
    return Status::ok();
  }

  void complete(const Status& status) override {
    if (!status.isOk()) {
      componentLogger(LogComponent::kCollectorEnroll)
          ->info("enrollment with token {} refused: {}", params_.token_id, status.toString());
      return respond_(agentErrorResponse(status, retry_));
    }
    componentLogger(LogComponent::kCollectorEnroll)
        ->info("enrolled agent {} on {} terminal {} of school {} (host '{}')", params_.agent_id,
               outcome_.new_terminal ? "new" : "known", outcome_.terminal_id, outcome_.school_id,
               params_.hostname);
    v1::EnrollResponse res;
    res.set_agent_id(params_.agent_id);
    res.set_certificate_pem(cert_pem_);
    res.set_ca_bundle_pem(ca_pem_);
    res.set_terminal_id(outcome_.terminal_id);
    res.set_school_id(outcome_.school_id);
    appendAcks(outcome_.earlier_acks, res.mutable_acks());
    respond_(protobufResponse(res));
  }

 private:
  EnrollParams params_;
  std::string cert_pem_;
  std::string ca_pem_;
  RetryAfterRange retry_;
  Responder respond_;
  EnrollOutcome outcome_;
};

}  // namespace

Result<std::unique_ptr<WriteJob>> Enrollment::prepare(EnrollInput input, Responder respond) const {
  auto csr = pki::parseAndVerifyCsr(input.csr_pem);
  if (!csr.isOk()) {
    return Status(ErrorCode::kInvalidArgument, "invalid CSR: " + csr.status().message());
  }
  EnrollParams p;
  XIAOAN_ASSIGN_OR_RETURN(p.agent_id, randomHexId(kAgentIdBytes));
  XIAOAN_ASSIGN_OR_RETURN(auto cert, pki_.issueAgentCertificate(csr->public_key_der, p.agent_id));
  p.token_id = input.token_id;
  p.token_secret_sha256_hex = sha256Hex(input.token_secret);
  p.cert_serial_hex = cert.serial_hex;
  p.hostname = input.facts.hostname;
  p.macs = std::move(input.facts.macs);
  p.ipv4 = std::move(input.facts.ipv4);
  p.os_version = input.facts.os_version;
  p.agent_version = input.agent_version;
  p.smbios_uuid = input.facts.smbios_uuid;
  p.machine_id = input.facts.machine_id;
  p.now_ms = unixMillis(clock_.now());
  return std::unique_ptr<WriteJob>(std::make_unique<EnrollJob>(
      std::move(p), std::move(cert.pem), pki_.caCertPem(), retry_, std::move(respond)));
}

}  // namespace xiaoan::collector
