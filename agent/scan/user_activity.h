#pragma once

#include <chrono>
#include <optional>

#include "platform/clock.h"
#include "platform/user_sessions.h"

// "Pause when the user is active" (ScanPolicy.pause_when_user_active) needs to know when a
// person last gave input: the newest last input of any interactive session the OS shows
// (platform/user_sessions.h says which ones are seen), against the wall clock.

namespace xiaoan::agent::scan {

class UserActivity {
 public:
  // Both must outlive this object.
  UserActivity(const UserSessions& sessions, const Clock& clock);

  // Time since the last user input; nullopt when unknown (no session seen). Input stamped
  // after now (a clock set back) counts as just now.
  std::optional<std::chrono::seconds> idleFor() const;

 private:
  const UserSessions& sessions_;
  const Clock& clock_;
};

}  // namespace xiaoan::agent::scan
