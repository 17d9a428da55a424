#include "service/collector/agent_api/enrollment.h"

#include <google/protobuf/struct.pb.h>

#include "common/crypto/pki.h"
#include "common/proto_json.h"
#include "platform/logging.h"
#include "service/collector/agent_api/agent_jobs.h"
#include "service/collector/trust/crypto_util.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

constexpr size_t kAgentIdBytes = 16;  // 128-bit random agent ids

const char* outcomeName(const Reenrollment& r) {
  if (r.held) return "held";
  return r.approved ? "approved" : "linked";
}

// The security_alert of a re-enrollment: what the new instance claims, how it differs from the
// terminal's current instance, what the school's policy did with it.
Result<std::string> reenrollmentAlert(const EnrollParams& p, const EnrollOutcome& out,
                                      const std::string& remote_address) {
  const Reenrollment& r = *out.reenrollment;
  google::protobuf::Struct payload;
  auto& f = *payload.mutable_fields();
  f["code"].set_string_value(r.held ? "E_ENROLL_PENDING" : "REENROLLED");
  f["message"].set_string_value("a new agent instance enrolled as a known terminal (same MAC)");
  f["terminal_id"].set_string_value(out.terminal_id);
  f["previous_agent_id"].set_string_value(r.previous_agent_id);
  f["new_agent_id"].set_string_value(r.held ? "" : p.agent_id);
  f["policy"].set_string_value(r.policy == ReenrollPolicy::kApprove ? "approve" : "auto");
  f["outcome"].set_string_value(outcomeName(r));
  f["pending_id"].set_string_value(r.pending_id);
  f["hostname"].set_string_value(p.hostname);
  f["remote_address"].set_string_value(remote_address);
  auto* list = f["mismatched"].mutable_list_value();
  for (const auto& m : r.mismatched) list->add_values()->set_string_value(m);
  return toCompactJson(payload);
}

class EnrollJob final : public WriteJob {
 public:
  EnrollJob(EnrollParams params, std::string cert_pem, std::string ca_pem,
            std::string remote_address, RetryAfterRange retry, Responder respond)
      : params_(std::move(params)),
        cert_pem_(std::move(cert_pem)),
        ca_pem_(std::move(ca_pem)),
        remote_address_(std::move(remote_address)),
        retry_(retry),
        respond_(std::move(respond)) {}

  size_t costBytes() const override { return size_t{16} * 1024; }

  Status apply(WriteTxn& txn) override {
    XIAOAN_ASSIGN_OR_RETURN(outcome_, txn.enroll(params_));
    const auto& r = outcome_.reenrollment;
    // Every re-enrollment of a known terminal is a security event; a held one only at its
    // first attempt, so that an agent retrying does not flood the event log.
    if (!r || (r->held && !r->new_hold)) return Status::ok();
    XIAOAN_ASSIGN_OR_RETURN(std::string json,
                            reenrollmentAlert(params_, outcome_, remote_address_));
    // Filed under the terminal's current instance, so that it shows with the terminal.
    const std::string& about =
        r->previous_agent_id.empty() ? params_.agent_id : r->previous_agent_id;
    return txn.insertCollectorEvent(about, "security_alert", json, params_.now_ms);
  }

  void complete(const Status& status) override {
    auto log = componentLogger(LogComponent::kCollectorEnroll);
    if (!status.isOk()) {
      log->info("enrollment with token {} refused: {}", params_.token_id, status.toString());
      return respond_(agentErrorResponse(status, retry_));
    }
    if (outcome_.reenrollment) logReenrollment(*outcome_.reenrollment);
    if (outcome_.reenrollment && outcome_.reenrollment->held) {
      return respond_(agentErrorResponse(
          Status(ErrorCode::kEnrollPending,
                 "this PC is known to the collector; the new enrollment waits for an admin's "
                 "approval (pending id " +
                     outcome_.reenrollment->pending_id + ")"),
          retry_));
    }
    log->info("enrolled agent {} on {} terminal {} of school {} (host '{}')", params_.agent_id,
              outcome_.new_terminal ? "new" : "known", outcome_.terminal_id, outcome_.school_id,
              params_.hostname);
    respond_(protobufResponse(answer()));
  }

 private:
  void logReenrollment(const Reenrollment& r) const {
    componentLogger(LogComponent::kCollectorEnroll)
        ->warn("re-enrollment of terminal {} (previous agent '{}') from {}: {} under policy {}",
               outcome_.terminal_id, r.previous_agent_id, remote_address_, outcomeName(r),
               r.policy == ReenrollPolicy::kApprove ? "approve" : "auto");
  }

  v1::EnrollResponse answer() const {
    v1::EnrollResponse res;
    res.set_agent_id(params_.agent_id);
    res.set_certificate_pem(cert_pem_);
    res.set_ca_bundle_pem(ca_pem_);
    res.set_terminal_id(outcome_.terminal_id);
    res.set_school_id(outcome_.school_id);
    appendAcks(outcome_.earlier_acks, res.mutable_acks());
    return res;
  }

  EnrollParams params_;
  std::string cert_pem_;
  std::string ca_pem_;
  std::string remote_address_;
  RetryAfterRange retry_;
  Responder respond_;
  EnrollOutcome outcome_;
};

}  // namespace

Result<std::unique_ptr<WriteJob>> Enrollment::prepare(EnrollInput input,
                                                      const std::string& remote_address,
                                                      Responder respond) const {
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
  p.permanent_macs = std::move(input.facts.permanent_macs);
  p.ipv4 = std::move(input.facts.ipv4);
  p.os_version = input.facts.os_version;
  p.agent_version = input.agent_version;
  p.smbios_uuid = input.facts.smbios_uuid;
  p.machine_id = input.facts.machine_id;
  p.key_sha256_hex = sha256Hex(csr->public_key_der);
  p.now_ms = unixMillis(clock_.now());
  return std::unique_ptr<WriteJob>(std::make_unique<EnrollJob>(std::move(p), std::move(cert.pem),
                                                               pki_.caCertPem(), remote_address,
                                                               retry_, std::move(respond)));
}

}  // namespace xiaoan::collector
