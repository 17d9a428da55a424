#include "agent/scan/user_activity.h"

#include <algorithm>

namespace xiaoan::agent::scan {

UserActivity::UserActivity(const UserSessions& sessions, const Clock& clock)
    : sessions_(sessions), clock_(clock) {}

std::optional<std::chrono::seconds> UserActivity::idleFor() const {
  std::optional<std::chrono::system_clock::time_point> newest;
  for (const auto& s : sessions_.sessions()) {
    if (!newest || s.last_input > *newest) newest = s.last_input;
  }
  if (!newest) return std::nullopt;
  const auto idle = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - *newest);
  return std::max(idle, std::chrono::seconds(0));
}

}  // namespace xiaoan::agent::scan
