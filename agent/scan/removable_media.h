#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "platform/result.h"
#include "platform/unique_fd.h"

// Removable media (USB drives) are scanned when mounted (issue 4). Linux: /proc/self/mountinfo
// signals POLLPRI whenever the mount table changes; each change is diffed against the previous
// table and a new mount is reported when its mount point lies under /media, /run/media or /mnt
// (where desktops and admins mount drives) and it is either on a block device the kernel marks
// removable (/sys/dev/block/M:m/removable, or its parent disk's) or a FAT/exFAT/NTFS file
// system (USB drives in schools are formatted that way; card readers often do not say
// "removable").

namespace xiaoan::agent::scan {

struct MountEntry {
  uint32_t major = 0, minor = 0;
  std::string mount_point;  // octal escapes (\040) decoded
  std::string fstype;
  std::string source;
};

// Parses the text of /proc/<pid>/mountinfo; malformed lines are skipped.
std::vector<MountEntry> parseMountInfo(std::string_view text);

// Whether `m` is a mount of removable media (see above); `is_removable_device` answers for a
// block device (major, minor).
bool isRemovableMount(const MountEntry& m,
                      const std::function<bool(uint32_t, uint32_t)>& is_removable_device);

// Mounts in `now` whose mount point was not mounted in `before`.
std::vector<MountEntry> newMounts(const std::vector<MountEntry>& before,
                                  const std::vector<MountEntry>& now);

// /sys/dev/block/M:m/removable (or the parent disk's for a partition) says 1.
bool sysfsRemovable(uint32_t major, uint32_t minor);

class RemovableMediaWatcher {
 public:
  using Callback = std::function<void(const std::string& mount_point)>;
  using Filter = std::function<bool(const MountEntry&)>;
  // Reports each new mount that `is_media` accepts (default: isRemovableMount with sysfs);
  // mounts present at start are not reported. E_IO when mountinfo cannot be opened.
  static Result<std::unique_ptr<RemovableMediaWatcher>> start(
      Callback callback, Filter is_media = {}, std::string mountinfo_path = "/proc/self/mountinfo");
  ~RemovableMediaWatcher();
  RemovableMediaWatcher(const RemovableMediaWatcher&) = delete;
  RemovableMediaWatcher& operator=(const RemovableMediaWatcher&) = delete;

 private:
  RemovableMediaWatcher(Callback callback, Filter is_media, UniqueFd mountinfo, UniqueFd stop);
  void run();
  std::vector<MountEntry> readTable() const;

  Callback callback_;
  Filter is_media_;
  UniqueFd mountinfo_, stop_;
  std::vector<MountEntry> table_;
  std::thread thread_;
};

}  // namespace xiaoan::agent::scan
