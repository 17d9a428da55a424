// Which new mounts are removable media to scan, the watcher over a fake MountWatcher, and a
// sanity test through the real mount table (root only).
#include "agent/scan/removable_media.h"

#include <doctest/doctest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "tests/fakes/fake_mount_watcher.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using namespace std::chrono_literals;

MountInfo mount(std::string point, std::string fs, bool removable, std::string dev = "/dev/sdx1") {
  return {std::move(point), std::move(dev), std::move(fs), removable};
}

// Collects the mount points reported; waits (bounded) for a count.
struct Seen {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> points;

  RemovableMediaWatcher::Callback callback() {
    return [this](const std::string& m) {
      std::lock_guard lock(mu);
      points.push_back(m);
      cv.notify_all();
    };
  }
  bool waitFor(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return points.size() >= n; });
  }
};

TEST_CASE("removable media: under the media dirs, and FAT/exFAT/NTFS or a removable device") {
  CHECK(isRemovableMount(mount("/run/media/teacher/U DISK", "vfat", false)));
  CHECK(isRemovableMount(mount("/media/stick", "ext4", true)));
  CHECK(isRemovableMount(mount("/mnt/card", "exfat", false)));
  CHECK(isRemovableMount(mount("/media/teacher/DATA", "fuseblk", false)));  // ntfs-3g
  CHECK_FALSE(isRemovableMount(mount("/mnt/backup", "ext4", false)));       // a fixed disk
  CHECK_FALSE(isRemovableMount(mount("/media/iso", "iso9660", false, "/dev/loop0")));
  CHECK_FALSE(isRemovableMount(mount("/srv/usb", "exfat", true)));  // not a media dir
  CHECK_FALSE(isRemovableMount(mount("/media", "vfat", true)));     // the media dir itself
}

TEST_CASE("new mounts that are media are reported, once; removals and other mounts are not") {
  auto fake = std::make_unique<xiaoan::testing::FakeMountWatcher>(
      std::vector<MountInfo>{mount("/", "ext4", false, "/dev/nvme0n1p2")});
  auto* mounts = fake.get();
  Seen seen;
  {
    RemovableMediaWatcher watcher(std::move(fake), seen.callback());
    mounts->mount(mount("/mnt/backup", "ext4", false));
    mounts->mount(mount("/run/media/teacher/U DISK", "vfat", false));
    REQUIRE(seen.waitFor(1));
    mounts->unmount("/run/media/teacher/U DISK");
    mounts->mount(mount("/media/stick", "ext4", true));
    REQUIRE(seen.waitFor(2));
  }  // the destructor wakes the thread's wait
  CHECK(seen.points == std::vector<std::string>{"/run/media/teacher/U DISK", "/media/stick"});
}

TEST_CASE("an injected filter decides; a failing MountWatcher ends the thread") {
  auto fake = std::make_unique<xiaoan::testing::FakeMountWatcher>();
  auto* mounts = fake.get();
  Seen seen;
  RemovableMediaWatcher watcher(std::move(fake), seen.callback(),
                                [](const MountInfo& m) { return m.device == "share"; });
  mounts->mount(mount("/media/stick", "vfat", true));
  mounts->mount(mount("/srv/share", "cifs", false, "share"));
  REQUIRE(seen.waitFor(1));
  CHECK(seen.points == std::vector<std::string>{"/srv/share"});
  mounts->breakIt();  // logged; the destructor still joins
}

TEST_CASE("sanity: a real mount is seen through the real mount table, once") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: mounting needs root");
    return;
  }
  xiaoan::testing::TempDir dir;
  const std::string point = dir.sub("usb");
  REQUIRE(::mkdir(point.c_str(), 0755) == 0);
  auto mounts = makeMountWatcher();
  REQUIRE_MESSAGE(mounts.isOk(), mounts.status().toString());
  Seen seen;
  // This test's own mount stands in for a USB drive.
  RemovableMediaWatcher watcher(std::move(mounts).value(), seen.callback(),
                                [&](const MountInfo& m) { return m.mount_point == point; });
  if (::mount("xiaoan-test", point.c_str(), "tmpfs", 0, "size=1m") != 0) {
    MESSAGE("skipped: cannot mount a tmpfs here: " << std::strerror(errno));
    return;
  }
  const bool got = seen.waitFor(1);
  ::umount2(point.c_str(), MNT_DETACH);
  REQUIRE(got);
  CHECK(seen.points == std::vector<std::string>{point});
}

}  // namespace
}  // namespace xiaoan::agent::scan
