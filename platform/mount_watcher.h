#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"

// Mounts coming and going (OS seam), so that removable media can be scanned when plugged in.
// Linux: /proc/self/mountinfo, which signals POLLPRI whenever the mount table changes; each
// change is diffed against the table read before.

namespace xiaoan {

struct MountInfo {
  std::string mount_point;  // where it is mounted (Linux: mountinfo's \ooo escapes decoded)
  std::string device;       // what is mounted: "/dev/sdb1", "tmpfs", "//server/share"
  std::string fs_type;      // "vfat", "exfat", "ntfs3", "fuseblk", "ext4", ...
  // The OS marks the device removable (USB drive, card reader; Linux: the block device's or
  // its disk's /sys/dev/block/M:m/removable). Known for added mounts only: false for a
  // removed one, whose device may be gone.
  bool removable = false;
};

enum class MountChange { kAdded, kRemoved };

struct MountEvent {
  MountChange change = MountChange::kAdded;
  MountInfo mount;
};

// Threading: wait() and current() are called by one thread at a time; wake() from any thread.
class MountWatcher {
 public:
  virtual ~MountWatcher() = default;

  // The mount table as read last (at creation, then by each wait() that saw a change).
  virtual std::vector<MountInfo> current() const = 0;

  // Waits up to `timeout` (or until wake()) for the mount table to change and returns what
  // was mounted and unmounted since the table read before: mounts present when the watcher
  // was made are never reported as added. Empty after a timeout or a wake. E_IO when the OS
  // facility fails (the watcher is unusable then).
  virtual Result<std::vector<MountEvent>> wait(std::chrono::milliseconds timeout) = 0;

  // Ends a wait() in progress at once, or else the next one.
  virtual void wake() = 0;
};

// The implementation for the OS this binary was built for. E_IO when the mount table cannot
// be opened.
Result<std::unique_ptr<MountWatcher>> makeMountWatcher();

}  // namespace xiaoan
