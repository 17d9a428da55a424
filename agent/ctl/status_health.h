#pragma once

#include <vector>

#include "xiaoan/v1/status.pb.h"

namespace xiaoan::ctl {

enum class Health { kHealthy, kDegraded, kNotRunning };

// Why a running agent is not healthy.
enum class Concern {
  kNotEnrolled,
  kEnrollRejected,
  kNotConnectedYet,
  kOffline,
  kConnectionError,
  kErrors,
  kContentStale,     // signed metadata expired: updates blocked (the policy still runs)
  kContentRejected,  // the last signed update was rejected
};

struct Assessment {
  Health health = Health::kHealthy;
  std::vector<Concern> concerns;  // for kDegraded (also filled for kNotRunning)
};

// Healthy = daemon running, enrolled, connected, no errors, signed metadata fresh and the last
// update not rejected. The one place that decides; the headline of the text renderer and the
// exit code both come from it.
Assessment assess(const v1::AgentStatus& status);

// 0 healthy, 1 degraded, 3 not running.
int exitCodeFor(const Assessment& assessment);

}  // namespace xiaoan::ctl
