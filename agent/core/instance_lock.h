#pragma once

#include <string>

#include "platform/result.h"
#include "platform/unique_fd.h"

namespace xiaoan::agent {

// <state_dir>/agent.lock held with flock(LOCK_EX) for the life of the daemon: a second agent on
// the same state directory gets E_ALREADY_RUNNING before it touches anything (RELIABILITY D6).
// The kernel drops the lock when the process dies, so kill -9 never leaves a stale lock.
class InstanceLock {
 public:
  static Result<InstanceLock> acquire(const std::string& path);
  InstanceLock(InstanceLock&&) noexcept = default;
  InstanceLock& operator=(InstanceLock&&) noexcept = default;

 private:
  explicit InstanceLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace xiaoan::agent
