// Sanity test of on-access watching against the real kernel (inotify on a temp dir), and the
// expansion of "~/" paths to every local user's home.
#include "agent/scan/on_access.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <set>

#include "agent/scan/scan_service.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

// Collects reported files; waits (bounded) for the ones a test expects.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::multiset<std::string> files;
  int batches = 0;

  OnAccessWatcher::Callback callback() {
    return [this](std::vector<std::string> batch) {
      std::lock_guard lock(mu);
      ++batches;
      files.insert(batch.begin(), batch.end());
      cv.notify_all();
    };
  }
  bool waitFor(const std::string& path) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return files.count(path) > 0; });
  }
  size_t count(const std::string& path) {
    std::lock_guard lock(mu);
    return files.count(path);
  }
};

std::unique_ptr<OnAccessWatcher> watch(const TempDir& dir, Collector& c,
                                       std::vector<std::string> never = {}) {
  OnAccessOptions o;
  o.roots = {dir.str(), dir.sub("missing")};
  o.never_watch = std::move(never);
  o.debounce = std::chrono::milliseconds(300);
  auto w = OnAccessWatcher::start(std::move(o), c.callback());
  REQUIRE_MESSAGE(w.isOk(), w.status().toString());
  return std::move(w).value();
}

TEST_CASE("a file written, closed or moved in is reported once it is quiet") {
  TempDir dir;
  Collector c;
  auto w = watch(dir, c);
  CHECK(w->watchedRoots() == 1);  // the missing root is retried later
  {
    std::ofstream f(dir.sub("download.exe"));
    f << "part one";
    f.flush();
    f << " and part two";
  }
  std::ofstream(dir.sub("download.exe"), std::ios::app) << " and more";
  REQUIRE(c.waitFor(dir.sub("download.exe")));
  TempDir elsewhere;
  elsewhere.write("moved.zip", "zip");
  fs::rename(elsewhere.sub("moved.zip"), dir.sub("moved.zip"));
  REQUIRE(c.waitFor(dir.sub("moved.zip")));
  CHECK(c.count(dir.sub("download.exe")) == 1);  // two writes within the quiet time: once
}

TEST_CASE("new directories are watched, their early files reported; excluded paths never") {
  TempDir dir;
  Collector c;
  auto w = watch(dir, c, {dir.sub("state")});
  fs::create_directories(dir.sub("a/b"));
  dir.write("a/b/early.txt", "written before the watch may exist");
  REQUIRE(c.waitFor(dir.sub("a/b/early.txt")));
  dir.write("a/b/late.txt", "written after");
  REQUIRE(c.waitFor(dir.sub("a/b/late.txt")));
  CHECK(w->watchedDirectories() >= 3);
  fs::create_directories(dir.sub("state"));
  dir.write("state/spool.seg", "our own files");
  dir.write("marker.txt", "after the excluded one");
  REQUIRE(c.waitFor(dir.sub("marker.txt")));
  CHECK(c.count(dir.sub("state/spool.seg")) == 0);
}

TEST_CASE("~/ paths expand to the homes of root and regular users") {
  TempDir dir;
  const std::string passwd = dir.write("passwd",
                                       "root:x:0:0:root:/root:/bin/bash\n"
                                       "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                       "teacher:x:1000:1000:Li Lei:/home/teacher:/bin/bash\n"
                                       "student:x:1001:1001::/home/student:/bin/bash\n"
                                       "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                                       "broken line\n"
                                       "nohome:x:1002:1002::/:/bin/sh\n");
  const auto roots = expandOnAccessPaths({"~/Downloads", "/tmp/", "~/Desktop", "/tmp"}, passwd);
  const std::vector<std::string> want = {
      "/root/Downloads", "/home/teacher/Downloads", "/home/student/Downloads", "/tmp",
      "/root/Desktop",   "/home/teacher/Desktop",   "/home/student/Desktop"};
  CHECK(roots == want);
}

}  // namespace
}  // namespace xiaoan::agent::scan
