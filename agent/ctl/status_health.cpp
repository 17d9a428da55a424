#include "agent/ctl/status_health.h"

#include "agent/ctl/exit_code.h"

namespace xiaoan::ctl {

Assessment assess(const v1::AgentStatus& status) {
  Assessment a;
  switch (status.enrollment()) {
    case v1::ENROLLMENT_STATE_ENROLLED:
      break;
    case v1::ENROLLMENT_STATE_REJECTED:
      a.concerns.push_back(Concern::kEnrollRejected);
      break;
    default:
      a.concerns.push_back(Concern::kNotEnrolled);
  }
  switch (status.connection()) {
    case v1::CONNECTION_STATE_CONNECTED:
      break;
    case v1::CONNECTION_STATE_OFFLINE:
      a.concerns.push_back(Concern::kOffline);
      break;
    case v1::CONNECTION_STATE_ERROR:
      a.concerns.push_back(Concern::kConnectionError);
      break;
    default:
      a.concerns.push_back(Concern::kNotConnectedYet);
  }
  if (status.errors_size() > 0) a.concerns.push_back(Concern::kErrors);
  if (status.content().stale()) a.concerns.push_back(Concern::kContentStale);
  if (!status.content().last_rejection().code().empty()) {
    a.concerns.push_back(Concern::kContentRejected);
  }
  if (!status.daemon_running()) {
    a.health = Health::kNotRunning;
  } else if (!a.concerns.empty()) {
    a.health = Health::kDegraded;
  }
  return a;
}

int exitCodeFor(const Assessment& assessment) {
  switch (assessment.health) {
    case Health::kHealthy:
      return kExitHealthy;
    case Health::kDegraded:
      return kExitDegraded;
    case Health::kNotRunning:
      return kExitDaemonNotRunning;
  }
  return kExitFailure;
}

}  // namespace xiaoan::ctl
