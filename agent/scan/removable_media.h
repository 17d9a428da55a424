#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "platform/mount_watcher.h"

// Removable media (USB drives) are scanned when mounted (issue 4). A MountWatcher
// (platform/mount_watcher.h) reports each new mount; it is scanned when its mount point lies
// under /media, /run/media or /mnt (where desktops and admins mount drives) and it is either on
// a device the OS marks removable or a FAT/exFAT/NTFS file system (USB drives in schools are
// formatted that way; card readers often do not say "removable").

namespace xiaoan::agent::scan {

// Whether `m` is a mount of removable media to scan (see above).
bool isRemovableMount(const MountInfo& m);

class RemovableMediaWatcher {
 public:
  using Callback = std::function<void(const std::string& mount_point)>;
  using Filter = std::function<bool(const MountInfo&)>;

  // Reports each new mount that `is_media` accepts (default: isRemovableMount), on a thread
  // of its own until destroyed; mounts present when `mounts` was made are not reported.
  RemovableMediaWatcher(std::unique_ptr<MountWatcher> mounts, Callback callback,
                        Filter is_media = {});
  ~RemovableMediaWatcher();
  RemovableMediaWatcher(const RemovableMediaWatcher&) = delete;
  RemovableMediaWatcher& operator=(const RemovableMediaWatcher&) = delete;

 private:
  void run();

  const std::unique_ptr<MountWatcher> mounts_;
  const Callback callback_;
  const Filter is_media_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace xiaoan::agent::scan
