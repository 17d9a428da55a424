#pragma once

#include <cstdint>

#include "xiaoan/v1/status.pb.h"

namespace xiaoan::ctl::testing {

// The fixed "now" of every status test: 2026-11-21 14:03:05 UTC.
inline constexpr int64_t kNow = 1795269785;

// Canned statuses for golden files, as the daemon would report them at kNow.
v1::AgentStatus healthyStatus();        // enrolled, connected, small activity backlog
v1::AgentStatus offlineStatus();        // E_COLLECTOR_UNREACHABLE for 3 h, big backlog
v1::AgentStatus lastPersistedStatus();  // what status.pb held when the daemon stopped
v1::AgentStatus notEnrolledStatus();    // token enrollment failing on a captive portal
v1::AgentStatus staleContentStatus();   // collector frozen: metadata STALE, a rollback rejected

}  // namespace xiaoan::ctl::testing
