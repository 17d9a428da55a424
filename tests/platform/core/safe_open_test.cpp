// openParentNoFollow against the real kernel (openat2 where it exists, else the walk): the
// parent of a path is opened with no symlink followed and nothing outside `beneath` reached.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "platform/file.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using xiaoan::testing::TempDir;

struct Tree {
  TempDir tmp;
  Tree() {
    std::filesystem::create_directories(tmp.sub("base/a/b"));
    std::filesystem::create_directories(tmp.sub("outside/b"));
    std::ofstream(tmp.sub("base/a/b/f")) << "inside";
    std::ofstream(tmp.sub("base/file")) << "not a directory";
    std::filesystem::create_directory_symlink(tmp.sub("outside"), tmp.sub("base/link"));
  }
};

bool refused(const Status& st, int err) {
  return st.code() == ErrorCode::kPermissionDenied && st.sysErrno() == err;
}

// A symlink met as the last directory of the walk is ENOTDIR (O_DIRECTORY | O_NOFOLLOW), one
// met before it ELOOP: the contract allows both.
bool refusedSymlink(const Status& st) { return refused(st, ELOOP) || refused(st, ENOTDIR); }

TEST_CASE("openParentNoFollow opens the parent and names the last component") {
  Tree t;
  std::string name;
  auto dir = openParentNoFollow(t.tmp.sub("base/a/b/f"), &name);
  REQUIRE_MESSAGE(dir.isOk(), dir.status().toString());
  CHECK(name == "f");
  CHECK(statAt(*dir, "f")->size == 6);
  auto beneath = openParentNoFollow(t.tmp.sub("base/a/b/f"), &name, t.tmp.sub("base"));
  REQUIRE_MESSAGE(beneath.isOk(), beneath.status().toString());
  CHECK(statAt(*beneath, "f").isOk());
  // The last component is only named, never opened: a symlink there is the caller's to refuse.
  CHECK(openParentNoFollow(t.tmp.sub("base/link"), &name).isOk());
  CHECK(name == "link");
  CHECK(openParentNoFollow(t.tmp.sub("base/a/missing/f"), &name).status().code() ==
        ErrorCode::kNotFound);
}

TEST_CASE("openParentNoFollow refuses symlinks, non-directories and escapes") {
  Tree t;
  std::string name;
  CHECK(refusedSymlink(openParentNoFollow(t.tmp.sub("base/link/b/f"), &name).status()));
  CHECK(refusedSymlink(openParentNoFollow(t.tmp.sub("base/link/f"), &name).status()));
  CHECK(refusedSymlink(
      openParentNoFollow(t.tmp.sub("base/link/f"), &name, t.tmp.sub("base")).status()));
  CHECK(refused(openParentNoFollow(t.tmp.sub("base/file/f"), &name).status(), ENOTDIR));
  CHECK(refused(
      openParentNoFollow(t.tmp.sub("base/a/../../outside/b/f"), &name, t.tmp.sub("base")).status(),
      EXDEV));
  // `beneath` itself is walked without following links either.
  CHECK(refusedSymlink(
      openParentNoFollow(t.tmp.sub("base/link/b/f"), &name, t.tmp.sub("base/link")).status()));
  CHECK(openParentNoFollow(t.tmp.sub("outside/b/f"), &name, t.tmp.sub("base")).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(openParentNoFollow("relative/f", &name).status().code() == ErrorCode::kInvalidArgument);
  CHECK(openParentNoFollow(t.tmp.sub("base/a/"), &name).status().code() ==
        ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace xiaoan
