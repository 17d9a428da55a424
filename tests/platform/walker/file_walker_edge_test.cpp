// FileWalker against the harder parts of a real file system: paths beyond PATH_MAX,
// unreadable directories (as an unprivileged user), files vanishing mid-walk, mount points.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "platform/file_walker.h"
#include "platform/unique_fd.h"
#include "tests/platform/walker/walker_test_util.h"
#include "tests/support/as_nobody.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::RecordingVisitor;
using testing::TempDir;
using testing::walk;
namespace fs = std::filesystem;

// rm -rf that copes with paths beyond PATH_MAX (std::filesystem does not).
void removeTree(const std::string& path) {
  std::string cmd = "rm -rf '" + path + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

TEST_CASE("paths longer than PATH_MAX are walked and their files opened") {
  TempDir t;
  std::string component(200, 'd');
  UniqueFd dir(::open(t.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::string expected = t.path();
  for (int i = 0; i < 25; ++i) {
    std::string name = component + std::to_string(i);
    REQUIRE(::mkdirat(dir.get(), name.c_str(), 0700) == 0);
    dir.reset(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir.valid());
    expected += "/" + name;
  }
  UniqueFd f(::openat(dir.get(), "leaf.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  REQUIRE(::write(f.get(), "leaf", 4) == 4);
  expected += "/leaf.txt";
  REQUIRE(expected.size() > PATH_MAX);
  RecordingVisitor v;
  v.read_contents = true;
  std::atomic<bool> stop{false};
  REQUIRE(makeFileWalker()->walk({t.path()}, {}, v, stop).isOk());
  CHECK(v.files.size() == 1);
  CHECK(v.contents[expected] == "leaf");
  CHECK(v.skipped.empty());
  removeTree(t.path() + "/" + component + "0");
}

// Walks `root` as nobody and returns "files unreadable dir_unreadable" as it saw them.
std::string walkAsNobody(const std::string& root) {
  return xiaoan::testing::runAsNobody([&] {
    RecordingVisitor v;
    std::atomic<bool> stop{false};
    if (!makeFileWalker()->walk({root}, {}, v, stop).isOk()) return std::string("error");
    return std::to_string(v.files.size()) + " " + std::to_string(v.count(WalkSkip::kUnreadable)) +
           " " + std::to_string(v.count(WalkSkip::kDirUnreadable));
  });
}

TEST_CASE("a directory that cannot be listed is counted, its siblings are walked") {
  TempDir t;
  REQUIRE(::chmod(t.path().c_str(), 0755) == 0);
  fs::create_directories(t.sub("open"));
  fs::create_directories(t.sub("closed"));
  fs::create_directories(t.sub("listonly"));
  t.write("open/a", "a");
  t.write("closed/secret", "s");
  t.write("listonly/hidden", "h");
  REQUIRE(::chmod(t.sub("open").c_str(), 0755) == 0);
  REQUIRE(::chmod(t.sub("open/a").c_str(), 0644) == 0);
  REQUIRE(::chmod(t.sub("closed").c_str(), 0000) == 0);
  REQUIRE(::chmod(t.sub("listonly").c_str(), 0744) == 0);  // r without x: names, no stat
  // One file walked; "hidden" listed but not examinable; "closed" not listable.
  CHECK(walkAsNobody(t.path()) == "1 1 1");
  REQUIRE(::chmod(t.sub("closed").c_str(), 0700) == 0);
}

// Deletes the other entries of the directory when it sees the first file, so the walk lists
// names whose files are gone.
class DeletingVisitor : public RecordingVisitor {
 public:
  bool onFile(const WalkEntry& e) override {
    if (files.empty()) {
      for (int i = 0; i < 5; ++i) {
        std::string n = "f" + std::to_string(i);
        if (n != e.name) ::unlinkat(static_cast<int>(e.dir), n.c_str(), 0);
      }
    }
    return RecordingVisitor::onFile(e);
  }
};

TEST_CASE("entries that vanish between listing and examining are counted") {
  TempDir t;
  for (int i = 0; i < 5; ++i) t.write("f" + std::to_string(i), "x");
  DeletingVisitor v;
  std::atomic<bool> stop{false};
  REQUIRE(makeFileWalker()->walk({t.path()}, {}, v, stop).isOk());
  CHECK(v.files.size() == 1);
  CHECK(v.count(WalkSkip::kVanished) == 4);
}

TEST_CASE("one_file_system does not enter mount points of other devices") {
  // /dev is its own file system with others (devpts, shm tmpfs) mounted below it.
  struct stat dev {
  }, pts{};
  REQUIRE(::stat("/dev", &dev) == 0);
  REQUIRE(::stat("/dev/pts", &pts) == 0);
  REQUIRE(dev.st_dev != pts.st_dev);
  WalkOptions o;
  o.one_file_system = true;
  o.max_depth = 3;
  RecordingVisitor v = walk({"/dev"}, o);
  CHECK(v.count(WalkSkip::kOtherFileSystem) >= 1);
  for (const auto& [path, st] : v.files) CHECK(st.dev == dev.st_dev);
  bool pts_skipped = false;
  for (const auto& [reason, path] : v.skipped_paths) {
    if (reason == WalkSkip::kOtherFileSystem && path == "/dev/pts") pts_skipped = true;
  }
  CHECK(pts_skipped);
}

}  // namespace
}  // namespace xiaoan
