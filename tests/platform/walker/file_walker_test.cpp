#include "platform/file_walker.h"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <filesystem>

#include "tests/platform/walker/walker_test_util.h"
#include "tests/support/temp_dir.h"

namespace xiaoan {
namespace {

using testing::RecordingVisitor;
using testing::TempDir;
using testing::walk;
namespace fs = std::filesystem;

TEST_CASE("regular files are yielded with their path, stat and an openable dir fd") {
  TempDir t;
  fs::create_directories(t.sub("a/b"));
  t.write("top.txt", "top");
  t.write("a/b/deep.bin", "deep!");
  RecordingVisitor v = walk({t.path()});
  REQUIRE(v.files.size() == 2);
  struct stat sb {};
  REQUIRE(::lstat(t.sub("a/b/deep.bin").c_str(), &sb) == 0);
  const FileStat& st = v.files.at(t.sub("a/b/deep.bin"));
  CHECK(st.size == 5);
  CHECK(st.ino == sb.st_ino);
  CHECK(st.dev == sb.st_dev);
  CHECK(st.mtime_ns == sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec);
  CHECK(S_ISREG(st.mode));
  CHECK(v.skipped.empty());
}

TEST_CASE("the dir fd and name of an entry open the file itself") {
  TempDir t;
  fs::create_directories(t.sub("d"));
  t.write("d/f", "content of f");
  RecordingVisitor v;
  v.read_contents = true;
  std::atomic<bool> stop{false};
  REQUIRE(makeFileWalker()->walk({t.path()}, {}, v, stop).isOk());
  CHECK(v.contents.at(t.sub("d/f")) == "content of f");
}

TEST_CASE("symlinks are never followed: files, directories, loops, dangling links") {
  TempDir t;
  fs::create_directories(t.sub("real"));
  t.write("real/f.txt", "x");
  fs::create_directory_symlink(t.sub("real"), t.sub("dirlink"));
  fs::create_symlink(t.sub("real/f.txt"), t.sub("filelink"));
  fs::create_directory_symlink(".", t.sub("real/loop"));
  fs::create_directory_symlink("..", t.sub("real/up"));
  fs::create_symlink(t.sub("nowhere"), t.sub("dangling"));
  fs::create_directory_symlink("/etc", t.sub("outside"));
  RecordingVisitor v = walk({t.path()});
  CHECK(v.files.size() == 1);
  CHECK(v.files.count(t.sub("real/f.txt")) == 1);
  CHECK(v.count(WalkSkip::kNotRegular) == 6);
}

TEST_CASE("a root that is a symlink is not followed; a file root is yielded") {
  TempDir t;
  t.write("f", "x");
  fs::create_directory_symlink(t.path(), t.sub("self"));
  RecordingVisitor v = walk({t.sub("self"), t.sub("f"), t.sub("missing")});
  CHECK(v.files.size() == 1);
  CHECK(v.files.count(t.sub("f")) == 1);
  CHECK(v.count(WalkSkip::kNotRegular) == 1);
  CHECK(v.count(WalkSkip::kVanished) == 1);
}

TEST_CASE("each (device, inode) once: hard links, repeated and nested roots") {
  TempDir t;
  fs::create_directories(t.sub("sub"));
  t.write("one", "1");
  fs::create_hard_link(t.sub("one"), t.sub("sub/one-again"));
  t.write("sub/two", "2");
  RecordingVisitor v = walk({t.path(), t.sub("sub"), t.path(), t.sub("one")});
  CHECK(v.files.size() == 2);  // one (or its link) and two
  CHECK(v.files.count(t.sub("sub/two")) == 1);
  // The second link, the nested root, the repeated root and the file root.
  CHECK(v.count(WalkSkip::kDuplicate) == 4);
}

TEST_CASE("FIFOs and sockets are counted as not regular and never opened") {
  TempDir t;
  REQUIRE(::mkfifo(t.sub("fifo").c_str(), 0600) == 0);
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sp = t.sub("sock");
  REQUIRE(sp.size() < sizeof addr.sun_path);
  std::copy(sp.begin(), sp.end(), addr.sun_path);
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  t.write("plain", "p");
  RecordingVisitor v = walk({t.path()});
  ::close(s);
  CHECK(v.files.size() == 1);
  CHECK(v.count(WalkSkip::kNotRegular) == 2);
}

TEST_CASE("names that are not UTF-8 are kept as raw bytes") {
  TempDir t;
  std::string name = "bad\xff\xfe-\xc3(.txt";
  t.write(name, "x");
  RecordingVisitor v = walk({t.path()});
  REQUIRE(v.files.size() == 1);
  CHECK(v.files.begin()->first == t.path() + "/" + name);
}

TEST_CASE("exclusions: path prefixes, name globs and path globs") {
  TempDir t;
  fs::create_directories(t.sub("cache/deep"));
  fs::create_directories(t.sub("keep/node_modules"));
  t.write("cache/deep/a", "a");
  t.write("cachet", "not under the prefix");
  t.write("image.iso", "i");
  t.write("keep/ok.txt", "k");
  t.write("keep/node_modules/m.js", "m");
  WalkOptions o;
  o.exclusions = {t.sub("cache") + "/", "*.iso", t.path() + "/*/node_modules"};
  RecordingVisitor v = walk({t.path()}, o);
  CHECK(v.files.size() == 2);
  CHECK(v.files.count(t.sub("cachet")) == 1);
  CHECK(v.files.count(t.sub("keep/ok.txt")) == 1);
  CHECK(v.count(WalkSkip::kExcluded) == 3);
}

TEST_CASE("exclusions: relative names and trailing components match anywhere") {
  TempDir t;
  fs::create_directories(t.sub("a/node_modules/x"));
  fs::create_directories(t.sub("a/node_modules_not"));
  fs::create_directories(t.sub("b/AppData/Local/Temp"));
  fs::create_directories(t.sub("b/AppData/Local/Other"));
  t.write("a/node_modules/x/m.js", "m");
  t.write("a/node_modules_not/n.js", "n");
  t.write("b/AppData/Local/Temp/t.tmp", "t");
  t.write("b/AppData/Local/Other/o.txt", "o");
  WalkOptions o;
  o.exclusions = {"node_modules", "AppData/Local/Temp/"};
  RecordingVisitor v = walk({t.path()}, o);
  CHECK(v.files.size() == 2);
  CHECK(v.files.count(t.sub("a/node_modules_not/n.js")) == 1);
  CHECK(v.files.count(t.sub("b/AppData/Local/Other/o.txt")) == 1);
  CHECK(v.count(WalkSkip::kExcluded) == 2);
}

TEST_CASE("depth cap: deeper directories are counted with their entries") {
  TempDir t;
  fs::create_directories(t.sub("l1/l2/l3"));
  t.write("l1/f1", "1");
  t.write("l1/l2/f2", "2");
  t.write("l1/l2/l3/f3", "3");
  t.write("l1/l2/l3/f4", "4");
  WalkOptions o;
  o.max_depth = 2;
  RecordingVisitor v = walk({t.path()}, o);
  CHECK(v.files.size() == 2);
  CHECK(v.count(WalkSkip::kTooDeep) == 2);  // f3 and f4 in l3
  REQUIRE(v.skipped_paths.size() == 1);
  CHECK(v.skipped_paths[0].second == t.sub("l1/l2/l3"));
}

TEST_CASE("the walk stops when the visitor says so") {
  TempDir t;
  for (int i = 0; i < 10; ++i) t.write("f" + std::to_string(i), "x");
  RecordingVisitor v;
  v.stop_after = 3;
  std::atomic<bool> stop{false};
  REQUIRE(makeFileWalker()->walk({t.path()}, {}, v, stop).isOk());
  CHECK(v.files.size() == 3);
}

TEST_CASE("relative roots are refused") {
  RecordingVisitor v;
  std::atomic<bool> stop{false};
  Status st = makeFileWalker()->walk({"relative/path"}, {}, v, stop);
  CHECK(st.code() == ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace xiaoan
