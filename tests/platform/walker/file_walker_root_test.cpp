// How the FileWalker reaches its roots (issue 10 finding 6, RELIABILITY.md X5): no component of
// a root's path is followed when it is a symlink, and with `confine` a root is reached from the
// directory it must stay in. The attack: a user swaps a parent directory of a file root has to
// scan (on-access) for a symlink to a 0700 directory of root's holding a file of that name.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

#include "platform/file_walker.h"
#include "tests/platform/walker/walker_test_util.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::RecordingVisitor;
using testing::TempDir;
using testing::walk;
namespace fs = std::filesystem;

// <t>/watched/sub/f (the user's) and <t>/secret/f plus <t>/secret/inner/g (root's, 0700).
struct SwapTree {
  TempDir t;
  SwapTree() {
    fs::create_directories(t.sub("watched/sub"));
    fs::create_directories(t.sub("secret/inner"));
    t.write("watched/sub/f", "the user's file");
    t.write("secret/f", "root's file");
    t.write("secret/inner/g", "root's other file");
    fs::permissions(t.sub("secret"), fs::perms::owner_all);
  }
  // The user's move: sub goes away, a symlink to root's directory takes its name.
  void swap() {
    fs::rename(t.sub("watched/sub"), t.sub("watched/sub.old"));
    fs::create_directory_symlink(t.sub("secret"), t.sub("watched/sub"));
  }
  WalkOptions confined() const {
    WalkOptions o;
    o.confine = {t.sub("watched")};
    return o;
  }
};

TEST_CASE("a file root whose parent was swapped for a symlink is not walked") {
  SwapTree s;
  RecordingVisitor before = walk({s.t.sub("watched/sub/f")}, s.confined());
  REQUIRE(before.files.size() == 1);  // the user's file, before the swap
  s.swap();
  for (const WalkOptions& o : {s.confined(), WalkOptions{}}) {
    RecordingVisitor v = walk({s.t.sub("watched/sub/f")}, o);
    CHECK(v.files.empty());
    CHECK(v.count(WalkSkip::kNotRegular) == 1);
  }
}

TEST_CASE("a directory root below a swapped parent is not walked") {
  SwapTree s;
  s.swap();
  RecordingVisitor v = walk({s.t.sub("watched/sub/inner")});
  CHECK(v.files.empty());
  CHECK(v.count(WalkSkip::kNotRegular) == 1);
  // The swapped-in link itself is a symlink root: not followed either.
  RecordingVisitor link = walk({s.t.sub("watched/sub")});
  CHECK(link.files.empty());
  CHECK(link.count(WalkSkip::kNotRegular) == 1);
}

TEST_CASE("confine: roots outside the watched roots are not walked, '..' included") {
  SwapTree s;
  RecordingVisitor v = walk(
      {s.t.sub("secret/f"), s.t.sub("watched/../secret/f"), s.t.sub("watchedX/f")}, s.confined());
  CHECK(v.files.empty());
  CHECK(v.count(WalkSkip::kExcluded) == 3);
}

TEST_CASE("confine: a watched root itself and files below it are walked") {
  SwapTree s;
  s.t.write("watched/top", "x");
  RecordingVisitor tree = walk({s.t.sub("watched/")}, s.confined());
  CHECK(tree.files.size() == 2);
  CHECK(tree.files.count(s.t.sub("watched/sub/f")) == 1);
  RecordingVisitor file = walk({s.t.sub("watched/sub/./f")}, s.confined());
  CHECK(file.files.count(s.t.sub("watched/sub/f")) == 1);
}

}  // namespace
}  // namespace xiaoan
