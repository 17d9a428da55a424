#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/mount_watcher.h"

// The Linux mount table (/proc/<pid>/mountinfo), for mount_watcher_linux.cpp and its tests.

namespace xiaoan {

struct MountInfoEntry {
  uint32_t major = 0, minor = 0;  // the device number (major 0: no block device)
  MountInfo info;                 // `removable` not filled in
};

// Parses the text of /proc/<pid>/mountinfo; malformed lines are skipped.
std::vector<MountInfoEntry> parseMountInfo(std::string_view text);

// Entries of `now` whose mount point was not mounted (with that device) in `before`; called
// the other way round, the mounts that went away.
std::vector<MountInfoEntry> mountsAdded(const std::vector<MountInfoEntry>& before,
                                        const std::vector<MountInfoEntry>& now);

// /sys/dev/block/M:m/removable (or the parent disk's, for a partition) says 1.
bool sysfsRemovable(uint32_t major, uint32_t minor, const std::string& sys_dir = "/sys");

}  // namespace xiaoan
