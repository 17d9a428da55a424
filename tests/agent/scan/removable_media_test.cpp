// Which new mounts are removable media: the mountinfo parser and the selection rules.
#include "agent/scan/removable_media.h"

#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

constexpr const char* kBefore =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "40 22 0:35 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,size=3264940k\n";

constexpr const char* kAfter =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "40 22 0:35 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,size=3264940k\n"
    "101 40 8:17 / /run/media/teacher/U\\040DISK rw,nosuid,nodev shared:300 - vfat /dev/sdb1 "
    "rw,uid=1000\n"
    "102 22 8:33 / /mnt/backup rw,relatime - ext4 /dev/sdc1 rw\n"
    "103 22 0:60 / /media/iso rw - iso9660 /dev/loop0 ro\n"
    "104 22 0:61 / /srv/usb rw - exfat /dev/sdd1 rw\n"
    "garbage\n"
    "105 22 8:49 /sub /media/stick rw - ext4 /dev/sde1 rw\n";

TEST_CASE("mountinfo: fields after the separator, escapes decoded, junk skipped") {
  const auto mounts = parseMountInfo(kAfter);
  REQUIRE(mounts.size() == 8);
  CHECK(mounts[0].mount_point == "/");
  CHECK(mounts[3].mount_point == "/run/media/teacher/U DISK");
  CHECK(mounts[3].fstype == "vfat");
  CHECK(mounts[3].source == "/dev/sdb1");
  CHECK(mounts[3].major == 8);
  CHECK(mounts[3].minor == 17);
  CHECK(mounts[7].mount_point == "/media/stick");
}

TEST_CASE("new removable mounts: under the media dirs, FAT/exFAT/NTFS or a removable device") {
  const auto before = parseMountInfo(kBefore);
  const auto after = parseMountInfo(kAfter);
  const auto fresh = newMounts(before, after);
  REQUIRE(fresh.size() == 5);
  // sde (8:48..) is a removable disk; sdc is not.
  auto removable = [](uint32_t major, uint32_t minor) { return major == 8 && minor >= 48; };
  std::vector<std::string> picked;
  for (const auto& m : fresh) {
    if (isRemovableMount(m, removable)) picked.push_back(m.mount_point);
  }
  // /mnt/backup: ext4 on a fixed disk; /media/iso: a loop device; /srv/usb: not a media dir.
  CHECK(picked == std::vector<std::string>{"/run/media/teacher/U DISK", "/media/stick"});
  CHECK(newMounts(after, after).empty());
}

TEST_CASE("sanity: a real mount is seen through mountinfo's POLLPRI, once") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: mounting needs root");
    return;
  }
  xiaoan::testing::TempDir dir;
  const std::string point = dir.sub("usb");
  REQUIRE(::mkdir(point.c_str(), 0755) == 0);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  auto watcher = RemovableMediaWatcher::start(
      [&](const std::string& m) {
        std::lock_guard lock(mu);
        seen.push_back(m);
        cv.notify_all();
      },
      // This test's own mount stands in for a USB drive.
      [&](const MountEntry& m) { return m.mount_point == point; });
  REQUIRE(watcher.isOk());
  if (::mount("xiaoan-test", point.c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: cannot mount a tmpfs here: " << std::strerror(errno));
    return;
  }
  std::unique_lock lock(mu);
  const bool got = cv.wait_for(lock, std::chrono::seconds(10), [&] { return !seen.empty(); });
  lock.unlock();
  ::umount2(point.c_str(), MNT_DETACH);
  REQUIRE(got);
  CHECK(seen == std::vector<std::string>{point});
}

}  // namespace
}  // namespace xiaoan::agent::scan
