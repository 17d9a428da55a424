// The Linux MountWatcher: mountinfo parsing and diffing, sysfs "removable" on a made-up sysfs
// tree, and sanity tests against the real mount table (mounting needs root).
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "platform/linux/mountinfo.h"
#include "platform/mount_watcher.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using namespace std::chrono_literals;
using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kBefore =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "40 22 0:35 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,size=3264940k\n"
    "41 22 8:2 / /mnt/old rw - ext4 /dev/sda2 rw\n";

constexpr const char* kAfter =
    "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "40 22 0:35 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,size=3264940k\n"
    "101 40 8:17 / /run/media/teacher/U\\040DISK rw,nosuid,nodev shared:300 - vfat /dev/sdb1 "
    "rw,uid=1000\n"
    "102 22 8:33 / /mnt/backup rw,relatime - ext4 /dev/sdc1 rw\n"
    "garbage\n"
    "105 22 8:49 /sub /media/stick rw - ext4 /dev/sde1 rw\n";

TEST_CASE("mountinfo: fields after the separator, escapes decoded, junk skipped") {
  const auto mounts = parseMountInfo(kAfter);
  REQUIRE(mounts.size() == 6);
  CHECK(mounts[0].info.mount_point == "/");
  CHECK(mounts[3].info.mount_point == "/run/media/teacher/U DISK");
  CHECK(mounts[3].info.fs_type == "vfat");
  CHECK(mounts[3].info.device == "/dev/sdb1");
  CHECK(mounts[3].major == 8);
  CHECK(mounts[3].minor == 17);
  CHECK(mounts[5].info.mount_point == "/media/stick");
}

TEST_CASE("mountsAdded: new mount points (or new devices on one), either way round") {
  const auto before = parseMountInfo(kBefore);
  const auto after = parseMountInfo(kAfter);
  std::vector<std::string> added, removed;
  for (const auto& m : mountsAdded(before, after)) added.push_back(m.info.mount_point);
  for (const auto& m : mountsAdded(after, before)) removed.push_back(m.info.mount_point);
  CHECK(added ==
        std::vector<std::string>{"/run/media/teacher/U DISK", "/mnt/backup", "/media/stick"});
  CHECK(removed == std::vector<std::string>{"/mnt/old"});
  CHECK(mountsAdded(after, after).empty());
}

TEST_CASE("sysfs removable: the device's own flag, or its disk's for a partition") {
  TempDir sys;
  fs::create_directories(sys.sub("devices/sdb/sdb1"));
  fs::create_directories(sys.sub("devices/sda/sda1"));
  fs::create_directories(sys.sub("dev/block"));
  sys.write("devices/sdb/removable", "1\n");
  sys.write("devices/sda/removable", "0\n");
  sys.write("devices/sdb/sdb1/partition", "1\n");
  fs::create_directory_symlink(sys.sub("devices/sdb"), sys.sub("dev/block/8:16"));
  fs::create_directory_symlink(sys.sub("devices/sdb/sdb1"), sys.sub("dev/block/8:17"));
  fs::create_directory_symlink(sys.sub("devices/sda/sda1"), sys.sub("dev/block/8:1"));
  CHECK(sysfsRemovable(8, 16, sys.str()));
  CHECK(sysfsRemovable(8, 17, sys.str()));
  CHECK_FALSE(sysfsRemovable(8, 1, sys.str()));
  CHECK_FALSE(sysfsRemovable(8, 99, sys.str()));
}

// Not "/": in a chroot (a fresh build root, a container) the kernel leaves out every mount whose
// point lies outside the process's root, the root file system's included. The proc mount that
// mountinfo is read from is always there.
TEST_CASE("sanity: the real table has the proc mount; wake() ends a wait") {
  auto w = makeMountWatcher();
  REQUIRE_MESSAGE(w.isOk(), w.status().toString());
  const auto table = (*w)->current();
  CHECK(std::any_of(table.begin(), table.end(),
                    [](const MountInfo& m) { return m.fs_type == "proc"; }));
  const auto t0 = std::chrono::steady_clock::now();
  std::thread waker([&] {
    std::this_thread::sleep_for(100ms);
    (*w)->wake();
  });
  auto got = (*w)->wait(60s);
  waker.join();
  REQUIRE(got.isOk());
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

TEST_CASE("sanity: a real mount is reported added, then removed") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: mounting needs root");
    return;
  }
  TempDir dir;
  const std::string point = dir.sub("usb stick");  // a space: escaped in mountinfo
  REQUIRE(::mkdir(point.c_str(), 0755) == 0);
  auto w = makeMountWatcher();
  REQUIRE(w.isOk());
  if (::mount("xiaoan-test", point.c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: cannot mount a tmpfs here: " << std::strerror(errno));
    return;
  }
  struct Unmount {  // also when a check below fails
    std::string point;
    ~Unmount() { ::umount2(point.c_str(), MNT_DETACH); }
  } unmount{point};
  auto find = [&](MountChange change) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end) {
      auto got = (*w)->wait(200ms);
      REQUIRE(got.isOk());
      for (const auto& e : *got) {
        if (e.change == change && e.mount.mount_point == point) return e;
      }
    }
    FAIL("no event for " << point);
    return MountEvent{};
  };
  const MountEvent added = find(MountChange::kAdded);
  REQUIRE(::umount2(point.c_str(), MNT_DETACH) == 0);
  CHECK(added.mount.fs_type == "tmpfs");
  CHECK(added.mount.device == "xiaoan-test");
  CHECK_FALSE(added.mount.removable);
  find(MountChange::kRemoved);
}

}  // namespace
}  // namespace xiaoan
