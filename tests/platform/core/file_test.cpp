// Sanity tests of the Linux File implementation against the real kernel and file system.
#include "platform/file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::TempDir;

std::string readText(File& f, size_t max = 1 << 20) {
  auto all = f.readAll(max);
  REQUIRE_MESSAGE(all.isOk(), all.status().toString());
  return *all;
}

File openDir(const std::string& path) {
  auto dir = File::open(path, OpenOptions::dir());
  REQUIRE_MESSAGE(dir.isOk(), dir.status().toString());
  return std::move(dir).value();
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("File::open honours the create modes") {
  TempDir t;
  const std::string path = t.sub("f");
  CHECK(File::open(path).status().code() == ErrorCode::kNotFound);
  CHECK(File::open(path).status().sysErrno() == ENOENT);

  auto created = File::open(path, OpenOptions::write(OpenCreate::kNew, 0640));
  REQUIRE(created.isOk());
  REQUIRE(created->writeAll("hello").isOk());
  auto st = created->stat();
  REQUIRE(st.isOk());
  CHECK(st->isRegular());
  const mode_t umask = ::umask(0);
  ::umask(umask);
  CHECK((st->mode & 0777) == (0640u & ~umask));
  created->close();
  CHECK_FALSE(created->valid());

  auto again = File::open(path, OpenOptions::write(OpenCreate::kNew));
  CHECK(again.status().code() == ErrorCode::kExists);
  CHECK(again.status().sysErrno() == EEXIST);

  auto appended = File::open(path, OpenOptions::readWrite(OpenCreate::kCreate));
  REQUIRE(appended.isOk());
  CHECK(readText(*appended) == "hello");  // kCreate keeps what is there

  auto cut = File::open(path, OpenOptions::readWrite(OpenCreate::kTruncate));
  REQUIRE(cut.isOk());
  CHECK(readText(*cut).empty());

  auto existing = File::open(path, OpenOptions::write(OpenCreate::kExisting));
  CHECK(existing.isOk());
}

TEST_CASE("kNew refuses even a dangling symlink") {
  TempDir t;
  REQUIRE(::symlink(t.sub("target").c_str(), t.sub("link").c_str()) == 0);
  auto f = File::open(t.sub("link"), OpenOptions::write(OpenCreate::kNew));
  CHECK(f.status().code() == ErrorCode::kExists);
  CHECK_FALSE(std::filesystem::exists(t.sub("target")));
}

TEST_CASE("File::open does not follow a symlink unless asked") {
  TempDir t;
  t.write("real", "data");
  REQUIRE(::symlink(t.sub("real").c_str(), t.sub("link").c_str()) == 0);
  auto refused = File::open(t.sub("link"));
  CHECK_FALSE(refused.isOk());
  CHECK(refused.status().sysErrno() == ELOOP);
  // Not even to create or truncate through it.
  CHECK_FALSE(File::open(t.sub("link"), OpenOptions::write(OpenCreate::kTruncate)).isOk());
  auto followed = File::open(t.sub("link"), OpenOptions::readFollow());
  REQUIRE(followed.isOk());
  CHECK(readText(*followed) == "data");
  // A directory open refuses a file.
  CHECK(File::open(t.sub("real"), OpenOptions::dir()).status().sysErrno() == ENOTDIR);
}

TEST_CASE("File::openAt takes one entry name only") {
  TempDir t;
  std::filesystem::create_directory(t.sub("a"));
  t.write("a/b", "inner");
  t.write("top", "top");
  File dir = openDir(t.sub("a"));
  for (const char* bad : {"a/b", "..", ".", "", "/etc/passwd", "b/"}) {
    CAPTURE(bad);
    CHECK(dir.openAt(bad).status().code() == ErrorCode::kInvalidArgument);
  }
  auto b = dir.openAt("b");
  REQUIRE(b.isOk());
  CHECK(readText(*b) == "inner");
  auto made = dir.openAt("c", OpenOptions::write(OpenCreate::kNew));
  REQUIRE(made.isOk());
  CHECK(std::filesystem::exists(t.sub("a/c")));
  CHECK(dir.openAt("c", OpenOptions::write(OpenCreate::kNew)).status().code() ==
        ErrorCode::kExists);
}

TEST_CASE("readAt and writeAllAt work at offsets without moving the position") {
  TempDir t;
  auto f = File::open(t.sub("f"), OpenOptions::readWrite(OpenCreate::kNew));
  REQUIRE(f.isOk());
  REQUIRE(f->writeAllAt("world", 6).isOk());
  REQUIRE(f->writeAllAt("hello", 0).isOk());
  char buf[32] = {};
  auto n = f->readAt(buf, sizeof buf, 0);
  REQUIRE(n.isOk());
  CHECK(*n == 11);  // fewer than asked only at the end of the file
  CHECK(std::string(buf, 5) == "hello");
  CHECK(buf[5] == '\0');  // the hole reads as zeros
  CHECK(std::string(buf + 6, 5) == "world");
  auto past = f->readAt(buf, 4, 100);
  REQUIRE(past.isOk());
  CHECK(*past == 0);
  // The position is still at the start: read() sees the whole file.
  auto r = f->read(buf, 5);
  REQUIRE(r.isOk());
  CHECK(std::string(buf, *r) == "hello");
  auto end = f->seekEnd();
  REQUIRE(end.isOk());
  CHECK(*end == 11);
  REQUIRE(f->writeAll("!").isOk());
  REQUIRE(f->rewind().isOk());
  CHECK(readText(*f) == std::string("hello\0world!", 12));
  CHECK(f->readAll(4).status().code() == ErrorCode::kTooLarge);
}

TEST_CASE("truncate, sync and dataSync") {
  TempDir t;
  auto f = File::open(t.sub("f"), OpenOptions::readWrite(OpenCreate::kNew));
  REQUIRE(f.isOk());
  REQUIRE(f->writeAll("0123456789").isOk());
  REQUIRE(f->dataSync().isOk());
  REQUIRE(f->truncate(4).isOk());
  CHECK(f->stat()->size == 4);
  REQUIRE(f->truncate(8).isOk());  // grows with zeros
  CHECK(readText(*f) == std::string("0123\0\0\0\0", 8));
  REQUIRE(f->sync().isOk());
  File dir = openDir(t.path());
  CHECK(dir.sync().isOk());  // a directory can be synced too (durable entries)
  // A read-only handle cannot be truncated; the error keeps the errno.
  auto ro = File::open(t.sub("f"));
  REQUIRE(ro.isOk());
  Status st = ro->truncate(0);
  CHECK(st.code() == ErrorCode::kIo);
  CHECK(st.sysErrno() != 0);
}

TEST_CASE("tryLockExclusive: a second open of the same file is refused") {
  TempDir t;
  auto first = File::open(t.sub("LOCK"), OpenOptions::readWrite(OpenCreate::kCreate));
  auto second = File::open(t.sub("LOCK"), OpenOptions::readWrite(OpenCreate::kCreate));
  REQUIRE(first.isOk());
  REQUIRE(second.isOk());
  REQUIRE(first->tryLockExclusive().isOk());
  CHECK(first->tryLockExclusive().isOk());  // the holder may ask again
  CHECK(second->tryLockExclusive().code() == ErrorCode::kAlreadyRunning);
  first->close();  // closing releases it
  CHECK(second->tryLockExclusive().isOk());
}

TEST_CASE("statAt, unlinkAt and renameAt work on entries of an open directory") {
  TempDir t;
  t.write("a", "aaa");
  t.write("b", "bb");
  std::filesystem::create_directory(t.sub("sub"));
  REQUIRE(::symlink("a", t.sub("link").c_str()) == 0);
  File dir = openDir(t.path());
  auto a = statAt(dir, "a");
  REQUIRE(a.isOk());
  CHECK(a->isRegular());
  CHECK(a->size == 3);
  CHECK(statAt(dir, "link")->isSymlink());  // never followed
  CHECK(statAt(dir, "sub")->isDirectory());
  CHECK(statAt(dir, "missing").status().code() == ErrorCode::kNotFound);
  CHECK(statAt(dir, "sub/x").status().code() == ErrorCode::kInvalidArgument);

  CHECK(renameAt(dir, "a", dir, "b", RenameMode::kNoReplace).code() == ErrorCode::kExists);
  CHECK(std::filesystem::file_size(t.sub("b")) == 2);  // untouched
  REQUIRE(renameAt(dir, "a", dir, "b").isOk());        // kReplace
  CHECK(std::filesystem::file_size(t.sub("b")) == 3);
  File sub = openDir(t.sub("sub"));
  REQUIRE(renameAt(dir, "b", sub, "moved", RenameMode::kNoReplace).isOk());
  CHECK(std::filesystem::exists(t.sub("sub/moved")));
  CHECK(renameAt(dir, "../x", dir, "y").code() == ErrorCode::kInvalidArgument);

  CHECK(unlinkAt(dir, "sub", true).sysErrno() == ENOTEMPTY);
  REQUIRE(unlinkAt(sub, "moved").isOk());
  REQUIRE(unlinkAt(dir, "sub", true).isOk());
  REQUIRE(unlinkAt(dir, "link").isOk());  // removes the link, not its target
  CHECK(unlinkAt(dir, "link").code() == ErrorCode::kNotFound);
  CHECK(unlinkAt(dir, "..").code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("linkAt gives a file a second name") {
  TempDir t;
  t.write("a", "data");
  t.write("taken", "x");
  File dir = openDir(t.path());
  REQUIRE(linkAt(dir, "a", dir, "b").isOk());
  CHECK(statAt(dir, "a")->nlink == 2);
  CHECK(statAt(dir, "a")->ino == statAt(dir, "b")->ino);
  CHECK(linkAt(dir, "a", dir, "taken").code() == ErrorCode::kExists);
  CHECK(linkAt(dir, "missing", dir, "c").code() == ErrorCode::kNotFound);
}

TEST_CASE("listDir lists entry names without . and .., again and again") {
  TempDir t;
  t.write("one", "");
  t.write("two", "");
  std::filesystem::create_directory(t.sub("three"));
  const std::vector<std::string> want = {"one", "three", "two"};
  File dir = openDir(t.path());
  auto first = listDir(dir);
  REQUIRE(first.isOk());
  CHECK(sorted(*first) == want);
  auto second = listDir(dir);  // the same handle lists from the start again
  REQUIRE(second.isOk());
  CHECK(sorted(*second) == want);
  auto by_path = listDir(t.path());
  REQUIRE(by_path.isOk());
  CHECK(sorted(*by_path) == want);
  CHECK(listDir(t.sub("missing")).status().code() == ErrorCode::kNotFound);
  CHECK(listDir(t.sub("one")).status().sysErrno() == ENOTDIR);
  CHECK(listDir(t.sub("three"))->empty());
}

TEST_CASE("path operations: statPath, pathExists, removeFile, renamePath, setPathMode") {
  TempDir t;
  t.write("f", "12345");
  REQUIRE(::symlink("f", t.sub("link").c_str()) == 0);
  REQUIRE(::symlink("nowhere", t.sub("dangling").c_str()) == 0);
  CHECK(statPath(t.sub("link"))->isSymlink());
  CHECK(statPath(t.sub("link"), true)->size == 5);
  CHECK(statPath(t.sub("missing")).status().code() == ErrorCode::kNotFound);
  CHECK(pathExists(t.sub("f")));
  CHECK(pathExists(t.sub("dangling")));  // the link itself exists
  CHECK_FALSE(pathExists(t.sub("missing")));

  REQUIRE(setPathMode(t.sub("f"), 0604).isOk());
  CHECK((statPath(t.sub("f"))->mode & 0777) == 0604);
  CHECK(setPathMode(t.sub("missing"), 0600).code() == ErrorCode::kNotFound);

  REQUIRE(renamePath(t.sub("f"), t.sub("g")).isOk());
  CHECK_FALSE(pathExists(t.sub("f")));
  CHECK(renamePath(t.sub("f"), t.sub("h")).code() == ErrorCode::kNotFound);
  REQUIRE(removeFile(t.sub("g")).isOk());
  CHECK(removeFile(t.sub("g")).code() == ErrorCode::kNotFound);
}

TEST_CASE("availableSpace: what statvfs gives an unprivileged writer; E_NOT_FOUND when missing") {
  TempDir t;
  auto free = availableSpace(t.path());
  REQUIRE(free.isOk());
  struct statvfs vfs {};
  REQUIRE(::statvfs(t.path().c_str(), &vfs) == 0);
  const uint64_t expected = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  // Other writers on the machine move it a little between the two calls.
  CHECK(*free <= expected + (uint64_t{64} << 20));
  CHECK(*free + (uint64_t{64} << 20) >= expected);
  CHECK(availableSpace(t.sub("missing")).status().code() == ErrorCode::kNotFound);
}

TEST_CASE("setMode, setOwner and setModificationTime through a handle") {
  TempDir t;
  auto f = File::open(t.sub("f"), OpenOptions::write(OpenCreate::kNew));
  REQUIRE(f.isOk());
  REQUIRE(f->setMode(0640).isOk());
  REQUIRE(f->setOwner(::getuid(), ::getgid()).isOk());  // to ourselves: always allowed
  const int64_t when = 1'600'000'000'123'456'789;
  REQUIRE(f->setModificationTime(when).isOk());
  auto st = f->stat();
  REQUIRE(st.isOk());
  CHECK((st->mode & 0777) == 0640);
  CHECK(st->uid == ::getuid());
  CHECK(st->mtime_ns == when);
  // Before 1970, the nanoseconds stay positive.
  const int64_t before_epoch = -1'500'000'000;  // 1969-12-31T23:59:58.5
  REQUIRE(f->setModificationTime(before_epoch).isOk());
  CHECK(f->stat()->mtime_ns == before_epoch);
}

TEST_CASE("openParentNoFollow opens the directory of a path one component at a time") {
  TempDir t;
  std::filesystem::create_directories(t.sub("base/a/b"));
  t.write("base/a/b/file", "x");
  std::string name;
  auto parent = openParentNoFollow(t.sub("base/a/b/file"), &name, t.sub("base"));
  REQUIRE_MESSAGE(parent.isOk(), parent.status().toString());
  CHECK(name == "file");
  CHECK(parent->openAt(name).isOk());
  // Directly below `beneath`, with a trailing slash on it, and with "/" as the limit.
  CHECK(openParentNoFollow(t.sub("base/top"), &name, t.sub("base") + "/").isOk());
  CHECK(name == "top");
  CHECK(openParentNoFollow(t.sub("base/a//b/file"), &name, t.sub("base")).isOk());
  CHECK(openParentNoFollow(t.sub("base/a/b/file"), &name).isOk());
  CHECK(openParentNoFollow(t.sub("base/missing/file"), &name, t.sub("base")).status().code() ==
        ErrorCode::kNotFound);
}

TEST_CASE("openParentNoFollow refuses symlinks on the way and paths outside `beneath`") {
  TempDir t;
  std::filesystem::create_directories(t.sub("base/real"));
  std::filesystem::create_directories(t.sub("outside"));
  REQUIRE(::symlink(t.sub("outside").c_str(), t.sub("base/link").c_str()) == 0);
  REQUIRE(::symlink(t.sub("base").c_str(), t.sub("baselink").c_str()) == 0);
  std::string name;
  auto via_link = openParentNoFollow(t.sub("base/link/file"), &name, t.sub("base"));
  CHECK(via_link.status().code() == ErrorCode::kPermissionDenied);
  // ELOOP, or ENOTDIR when the link is the last directory (O_NOFOLLOW | O_DIRECTORY).
  const int err = via_link.status().sysErrno();
  CHECK((err == ELOOP || err == ENOTDIR));
  auto deep_link = openParentNoFollow(t.sub("base/real/../link/x/file"), &name, t.sub("base"));
  CHECK(deep_link.status().code() == ErrorCode::kPermissionDenied);
  // A symlink in the part down to `beneath` counts too.
  CHECK(openParentNoFollow(t.sub("baselink/real/f"), &name, t.sub("baselink")).status().code() ==
        ErrorCode::kPermissionDenied);
  CHECK(openParentNoFollow(t.sub("baselink/real/f"), &name).status().code() ==
        ErrorCode::kPermissionDenied);
  // Outside the tree, or climbing out of it.
  CHECK(openParentNoFollow(t.sub("outside/f"), &name, t.sub("base")).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(openParentNoFollow(t.sub("basement/f"), &name, t.sub("base")).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(openParentNoFollow(t.sub("base/../outside/f"), &name, t.sub("base")).status().code() ==
        ErrorCode::kPermissionDenied);
  // Not a file path at all.
  for (const std::string& bad :
       {std::string("relative/f"), t.sub("base/real/"), t.sub("base/real/.."), std::string()}) {
    CAPTURE(bad);
    CHECK(openParentNoFollow(bad, &name, "/").status().code() == ErrorCode::kInvalidArgument);
  }
  // A file where a directory should be.
  t.write("base/plain", "");
  CHECK(openParentNoFollow(t.sub("base/plain/f"), &name, t.sub("base")).status().code() ==
        ErrorCode::kPermissionDenied);
}

}  // namespace xiaoan
