#include "agent/core/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace xiaoan::agent {

Result<InstanceLock> InstanceLock::acquire(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "open " + path);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      std::string holder(32, '\0');
      ssize_t n = ::pread(fd.get(), holder.data(), holder.size() - 1, 0);
      holder.resize(n > 0 ? static_cast<size_t>(n) : 0);
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) {
        holder.pop_back();
      }
      return Status(
          ErrorCode::kAlreadyRunning,
          "another xiaoan-agent (pid " + (holder.empty() ? "?" : holder) + ") holds " + path);
    }
    return errnoStatus(ErrorCode::kIo, "flock " + path);
  }
  // The pid is informational (for the message above); the lock itself is the flock.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return errnoStatus(ErrorCode::kIo, "write " + path);
  }
  return InstanceLock(std::move(fd));
}

}  // namespace xiaoan::agent
