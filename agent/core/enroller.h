#pragma once

#include <functional>
#include <string>

#include "agent/core/backoff.h"
#include "agent/core/collector_api.h"
#include "agent/core/identity_store.h"
#include "agent/core/status_model.h"
#include "agent/core/wake_signal.h"
#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "platform/host_info.h"

namespace xiaoan::agent {

struct EnrollerOptions {
  std::string collector_url;
  std::string agent_version;
  // The current token; re-read before every attempt so that an admin can fix it in the
  // config file without restarting the agent.
  std::function<std::string()> token_source;
  BackoffOptions retry{std::chrono::seconds(1), std::chrono::minutes(10)};
  // After the collector refused the token (401/403): retry slowly.
  BackoffOptions rejected_retry{std::chrono::minutes(1), std::chrono::minutes(30)};
  uint64_t seed = 0;
};

// Enrolls this agent instance (DESIGN.md §3): key on first start, CSR + token + host facts to
// POST /v1/enroll, certificate stored, acks from the answer applied to the spool so that a
// re-enrolled terminal resumes without duplicates. Retries with exponential backoff and full
// jitter until enrolled or stopped.
class Enroller {
 public:
  Enroller(EnrollerOptions options, IdentityStore& store, CollectorApi& api,
           const HostInfo& host_info, Spool& spool, StatusModel& status, const Clock& clock,
           WakeSignal& wake);

  // Blocks until enrolled (the identity) or `wake` is stopped (E_CANCELLED).
  Result<v1::AgentIdentity> run();
  // A single attempt.
  Result<v1::AgentIdentity> attempt();

 private:
  void applyAcks(const v1::EnrollResponse& response);

  EnrollerOptions options_;
  IdentityStore& store_;
  CollectorApi& api_;
  const HostInfo& host_info_;
  Spool& spool_;
  StatusModel& status_;
  const Clock& clock_;
  WakeSignal& wake_;
};

}  // namespace xiaoan::agent
