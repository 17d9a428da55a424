#pragma once

#include <string>

#include "platform/file.h"
#include "platform/result.h"

namespace xiaoan {

// One running instance per lock file (OS seam): an exclusive lock on a pid file, held for the
// life of the object, so a second daemon on the same state directory stops before it touches
// anything. The OS drops the lock when the process dies (kill -9 never leaves a stale lock);
// the pid written into the file is informational, for the message a second instance prints.
class InstanceLock {
 public:
  // Opens `path` (created with mode 0644 when missing; a symlink is refused), locks it without
  // waiting and records our pid in it. E_ALREADY_RUNNING when another open of the file holds
  // the lock: the message names the holder's pid as it recorded it ("?" when unreadable).
  // Other errors are those of File (E_NOT_FOUND for a missing directory, E_PERMISSION_DENIED,
  // E_IO). Move-only; not thread-safe (one owner).
  static Result<InstanceLock> acquire(const std::string& path);

  InstanceLock(InstanceLock&&) noexcept = default;
  InstanceLock& operator=(InstanceLock&&) noexcept = default;

 private:
  explicit InstanceLock(File file) : file_(std::move(file)) {}
  File file_;
};

}  // namespace xiaoan
