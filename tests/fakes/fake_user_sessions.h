#pragma once

#include <mutex>
#include <vector>

#include "platform/user_sessions.h"

namespace xiaoan::testing {

// The UserSessions fake: a lab PC with root, a teacher and a service account, and no session
// until the test adds one. Thread-safe (the scan service reads it from its own thread).
class FakeUserSessions final : public UserSessions {
 public:
  FakeUserSessions() {
    users_.push_back({0, "root", "/root", true});
    users_.push_back({33, "www-data", "/var/www", false});
    users_.push_back({1000, "teacher", "/home/teacher", true});
  }

  void setUsers(std::vector<LocalUser> users) {
    std::lock_guard lock(mu_);
    users_ = std::move(users);
  }
  void setSessions(std::vector<InteractiveSession> sessions) {
    std::lock_guard lock(mu_);
    sessions_ = std::move(sessions);
  }
  // localUsers() fails with `status` (OK: works again).
  void setUsersError(Status status) {
    std::lock_guard lock(mu_);
    users_error_ = std::move(status);
  }

  Result<std::vector<LocalUser>> localUsers() const override {
    std::lock_guard lock(mu_);
    if (!users_error_.isOk()) return users_error_;
    return users_;
  }
  std::vector<InteractiveSession> sessions() const override {
    std::lock_guard lock(mu_);
    return sessions_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<LocalUser> users_;
  std::vector<InteractiveSession> sessions_;
  Status users_error_;
};

}  // namespace xiaoan::testing
