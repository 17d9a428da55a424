// On-access watching as product logic, driven through a fake FileWatcher and a fake clock:
// which roots are watched, debounce and batching, overflow and vanished roots; and the
// expansion of "~/" paths to every local user's home. (The real inotify watcher has its sanity
// test in tests/platform/watch/; scan_service_test.cpp runs on-access end to end.)
#include "agent/scan/on_access.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

#include "agent/scan/scan_service.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_file_watcher.h"
#include "tests/fakes/fake_user_sessions.h"

namespace xiaoan::agent::scan {
namespace {

using namespace std::chrono_literals;
using xiaoan::testing::FakeClock;
using xiaoan::testing::FakeFileWatcher;
using Files = std::vector<std::string>;

// One watcher over a fake FileWatcher, stepped by hand (no thread).
struct Rig {
  FakeClock clock;
  FakeFileWatcher* files = nullptr;  // owned by `watcher`
  std::vector<Files> batches;
  std::unique_ptr<OnAccessWatcher> watcher;

  explicit Rig(OnAccessOptions o = defaults(), std::vector<std::string> existing = {"/home/t/Dl"}) {
    auto fake = std::make_unique<FakeFileWatcher>();
    files = fake.get();
    for (const auto& d : existing) files->addDirectory(d);
    watcher = std::make_unique<OnAccessWatcher>(std::move(o), std::move(fake), clock,
                                                [this](Files f) { batches.push_back(f); });
  }
  static OnAccessOptions defaults() {
    OnAccessOptions o;
    o.roots = {"/home/t/Dl", "/home/t/Desktop"};
    o.never_watch = {"/home/t/Dl/state"};
    o.debounce = 300ms;
    o.max_delay = 2s;
    o.retry_missing = 60s;
    return o;
  }
  // Starts without a thread: the roots are added as start() would.
  void begin() { REQUIRE(watcher->step()); }
  void step(std::chrono::milliseconds later = 0ms) {
    clock.advance(later);
    files->wake();  // wait() returns at once instead of sleeping for real
    REQUIRE(watcher->step());
  }
};

TEST_CASE("existing roots are watched, missing ones retried after retry_missing") {
  Rig rig;
  rig.begin();
  CHECK(rig.files->addTreeCalls() == Files{"/home/t/Dl", "/home/t/Desktop"});
  CHECK(rig.watcher->watchedRoots() == 1);
  rig.files->addDirectory("/home/t/Desktop");
  rig.step(59s);
  CHECK(rig.watcher->watchedRoots() == 1);  // not yet: once a minute
  rig.step(1s);
  CHECK(rig.watcher->watchedRoots() == 2);
  CHECK(rig.files->addTreeCalls().size() == 3);  // the watched root is not added twice
}

TEST_CASE("a file is reported once it is quiet for the debounce time, one batch per round") {
  Rig rig;
  rig.begin();
  rig.files->push(FileEventKind::kClosedAfterWrite, "/home/t/Dl/setup.exe");
  rig.step();
  CHECK(rig.files->lastTimeout() == 60s);  // nothing was pending when it waited
  rig.files->push(FileEventKind::kClosedAfterWrite, "/home/t/Dl/setup.exe");  // written again
  rig.files->push(FileEventKind::kMovedIn, "/home/t/Dl/photo.zip");
  rig.step(200ms);
  CHECK(rig.batches.empty());
  rig.step();
  CHECK(rig.files->lastTimeout() == 300ms);  // waits exactly until the files are due
  rig.step(299ms);
  CHECK(rig.batches.empty());
  rig.step(1ms);
  REQUIRE(rig.batches.size() == 1);
  CHECK(rig.batches[0] == Files{"/home/t/Dl/photo.zip", "/home/t/Dl/setup.exe"});
}

TEST_CASE("a file written without pause is still reported after max_delay") {
  Rig rig;
  rig.begin();
  for (int i = 0; i < 10; ++i) {
    rig.files->push(FileEventKind::kClosedAfterWrite, "/home/t/Dl/big.iso");
    rig.step(250ms);
  }
  REQUIRE(rig.batches.size() == 1);  // at 2 s, not 300 ms after the last write
  CHECK(rig.batches[0] == Files{"/home/t/Dl/big.iso"});
}

TEST_CASE("files found in new directories count; creations, directories, excluded paths do not") {
  Rig rig;
  rig.begin();
  rig.files->push(FileEventKind::kCreated, "/home/t/Dl/new.txt");
  rig.files->push(FileEventKind::kCreated, "/home/t/Dl/sub", true);
  rig.files->push(FileEventKind::kMovedIn, "/home/t/Dl/moved", true);
  rig.files->push(FileEventKind::kFound, "/home/t/Dl/moved/early.exe");
  rig.files->push(FileEventKind::kClosedAfterWrite, "/home/t/Dl/state/spool.seg");
  rig.step();
  rig.step(1s);
  REQUIRE(rig.batches.size() == 1);
  CHECK(rig.batches[0] == Files{"/home/t/Dl/moved/early.exe"});
}

TEST_CASE("too many pending files are reported at once") {
  OnAccessOptions o = Rig::defaults();
  o.max_pending = 3;
  Rig rig(o);
  rig.begin();
  for (const char* f : {"/home/t/Dl/a", "/home/t/Dl/b", "/home/t/Dl/c"}) {
    rig.files->push(FileEventKind::kClosedAfterWrite, f);
  }
  rig.step();
  REQUIRE(rig.batches.size() == 1);
  CHECK(rig.batches[0].size() == 3);
}

TEST_CASE("lost events make the watched roots due; a vanished root is watched again later") {
  Rig rig;
  rig.begin();
  rig.files->push(FileEventKind::kOverflow, "");
  rig.step();
  rig.step(300ms);
  REQUIRE(rig.batches.size() == 1);
  CHECK(rig.batches[0] == Files{"/home/t/Dl"});  // the pass walks it; the cache skips the old
  rig.files->push(FileEventKind::kRootGone, "/home/t/Dl", true);
  rig.step();
  CHECK(rig.watcher->watchedRoots() == 0);
  rig.step(60s);
  CHECK(rig.watcher->watchedRoots() == 1);
}

TEST_CASE("excluded roots are never watched; the watch limit leaves a root for later") {
  OnAccessOptions o = Rig::defaults();
  o.roots = {"/home/t/Dl/state", "/home/t/Dl"};
  Rig rig(o, {"/home/t/Dl/state", "/home/t/Dl"});
  rig.files->setLimitReached(true);
  rig.begin();
  CHECK(rig.files->addTreeCalls() == Files{"/home/t/Dl"});
  CHECK(rig.watcher->watchedRoots() == 0);
  rig.files->push(FileEventKind::kWatchLimit, "/home/t/Dl/deep", true);  // logged once, no more
  rig.files->setLimitReached(false);
  rig.step(60s);
  CHECK(rig.watcher->watchedRoots() == 1);
}

TEST_CASE("a failing FileWatcher ends the rounds; the thread stops at once when destroyed") {
  Rig rig;
  rig.files->breakIt();
  CHECK_FALSE(rig.watcher->step());

  std::mutex mu;
  std::condition_variable cv;
  Files got;
  FakeClock clock;
  auto fake = std::make_unique<FakeFileWatcher>();
  FakeFileWatcher* files = fake.get();
  files->addDirectory("/srv/share");
  OnAccessOptions o;
  o.roots = {"/srv/share"};
  o.debounce = 0ms;
  auto w = std::make_unique<OnAccessWatcher>(o, std::move(fake), clock, [&](Files f) {
    std::lock_guard lock(mu);
    got = f;
    cv.notify_all();
  });
  w->start();
  files->push(FileEventKind::kClosedAfterWrite, "/srv/share/x.doc");
  {
    std::unique_lock lock(mu);
    CHECK(cv.wait_for(lock, 10s, [&] { return !got.empty(); }));
  }
  const auto t0 = std::chrono::steady_clock::now();
  w.reset();  // blocks in a 60 s wait() until woken
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("~/ paths expand to the homes of the people who use the PC") {
  xiaoan::testing::FakeUserSessions users;
  users.setUsers({{0, "root", "/root", true},
                  {1, "daemon", "/usr/sbin", false},
                  {1000, "teacher", "/home/teacher", true},
                  {1001, "student", "/home/student", true},
                  {1002, "nohome", "", true},
                  {1003, "twin", "/home/teacher", true}});
  const auto roots = expandOnAccessPaths({"~/Downloads", "/tmp/", "~/Desktop", "/tmp"}, users);
  const std::vector<std::string> want = {
      "/root/Downloads", "/home/teacher/Downloads", "/home/student/Downloads", "/tmp",
      "/root/Desktop",   "/home/teacher/Desktop",   "/home/student/Desktop"};
  CHECK(roots == want);
  users.setUsersError(Status(ErrorCode::kIo, "unreadable"));
  CHECK(expandOnAccessPaths({"~/Downloads", "/srv"}, users) == std::vector<std::string>{"/srv"});
}

}  // namespace
}  // namespace xiaoan::agent::scan
