#include "agent/core/enroller.h"

#include "agent/core/host_facts.h"
#include "platform/logging.h"

namespace xiaoan::agent {

Enroller::Enroller(EnrollerOptions options, IdentityStore& store, CollectorApi& api,
                   const HostInfo& host_info, Spool& spool, StatusModel& status, const Clock& clock,
                   WakeSignal& wake)
    : options_(std::move(options)),
      store_(store),
      api_(api),
      host_info_(host_info),
      spool_(spool),
      status_(status),
      clock_(clock),
      wake_(wake) {}

Result<v1::AgentIdentity> Enroller::attempt() {
  const std::string token = options_.token_source ? options_.token_source() : "";
  if (token.empty()) {
    return Status(ErrorCode::kNotEnrolled, "no enrollment_token in the bootstrap config");
  }
  XIAOAN_ASSIGN_OR_RETURN(pki::PrivateKey key, store_.loadOrCreateKey());
  v1::EnrollRequest request;
  request.set_token(token);
  *request.mutable_facts() = collectHostFacts(host_info_);
  const std::string cn =
      request.facts().hostname().empty() ? "xiaoan-agent" : request.facts().hostname();
  XIAOAN_ASSIGN_OR_RETURN(std::string csr, pki::makeCsrPem(key, cn));
  request.set_csr_pem(std::move(csr));
  request.set_agent_version(options_.agent_version);
  XIAOAN_ASSIGN_OR_RETURN(v1::EnrollResponse response, api_.enroll(request));
  XIAOAN_ASSIGN_OR_RETURN(
      v1::AgentIdentity identity,
      store_.saveEnrollment(response, key, options_.collector_url, clock_.now()));
  applyAcks(response);
  return identity;
}

void Enroller::applyAcks(const v1::EnrollResponse& response) {
  auto log = componentLogger(LogComponent::kAgentIdentity);
  for (const auto& ack : response.acks()) {
    Status st = spool_.ack(ack.stream(), ack.epoch(), ack.seq());
    if (!st.isOk()) log->warn("enroll ack {}/{}: {}", ack.stream(), ack.seq(), st.toString());
  }
}

Result<v1::AgentIdentity> Enroller::run() {
  auto log = componentLogger(LogComponent::kAgentIdentity);
  Backoff retry(options_.retry, options_.seed);
  Backoff rejected(options_.rejected_retry, options_.seed ^ 0x9e3779b97f4a7c15ull);
  while (!wake_.stopped()) {
    auto r = attempt();
    if (r.isOk()) {
      log->info("enrolled as agent {} (terminal '{}')", r->agent_id(), r->terminal_id());
      status_.reportSuccess(Channel::kEnroll);
      status_.setEnrollment(v1::ENROLLMENT_STATE_ENROLLED, r->agent_id(), r->terminal_id());
      return r;
    }
    const Status& err = r.status();
    const bool refused = err.code() == ErrorCode::kUnauthorized ||
                         err.code() == ErrorCode::kForbidden ||
                         err.code() == ErrorCode::kNotEnrolled;
    status_.reportFailure(Channel::kEnroll, err);
    status_.setEnrollment(refused && err.code() != ErrorCode::kNotEnrolled
                              ? v1::ENROLLMENT_STATE_REJECTED
                              : v1::ENROLLMENT_STATE_NOT_ENROLLED,
                          "", "");
    auto delay = refused ? rejected.next() : retry.next(api_.lastRetryAfter());
    log->warn("enrollment failed: {}; next attempt in {} ms", err.toString(), delay.count());
    if (wake_.sleepFor(delay)) break;
  }
  return Status(ErrorCode::kCancelled, "stopped before enrollment completed");
}

}  // namespace xiaoan::agent
