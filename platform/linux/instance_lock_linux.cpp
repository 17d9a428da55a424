#include <string>

#include "platform/instance_lock.h"
#include "platform/process_info.h"

namespace xiaoan {
namespace {

// The pid the holder wrote ("1234\n"), "?" when the file says nothing readable.
std::string recordedHolder(const File& file) {
  char buf[32] = {};
  auto n = file.readAt(buf, sizeof buf - 1, 0);
  std::string holder(buf, n.isOk() ? *n : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder.empty() ? "?" : holder;
}

}  // namespace

Result<InstanceLock> InstanceLock::acquire(const std::string& path) {
  // flock(2) locks belong to the open file description: the lock lasts as long as this File,
  // and the kernel releases it when the process dies.
  XIAOAN_ASSIGN_OR_RETURN(File file,
                          File::open(path, OpenOptions::readWrite(OpenCreate::kCreate, 0644)));
  Status locked = file.tryLockExclusive();
  if (locked.code() == ErrorCode::kAlreadyRunning) {
    return Status(ErrorCode::kAlreadyRunning,
                  "another process (pid " + recordedHolder(file) + ") holds " + path,
                  locked.sysErrno());
  }
  if (!locked.isOk())
    return Status(locked.code(), path + ": " + locked.message(), locked.sysErrno());
  const std::string pid = std::to_string(currentProcessId()) + "\n";
  Status st = file.truncate(0);
  if (st.isOk()) st = file.writeAllAt(pid, 0);
  if (!st.isOk()) return Status(st.code(), path + ": " + st.message(), st.sysErrno());
  return InstanceLock(std::move(file));
}

}  // namespace xiaoan
