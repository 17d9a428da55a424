// Seat sessions (上机记录): opened and closed as the login records change; after an agent
// restart closed with the logout the history shows (or unobserved at the last time seen);
// after a reboot closed with the shutdown time or the new boot's start.
#include "agent/sessions/seat_session_tracker.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>

#include "common/proto_time.h"
#include "platform/file_util.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_login_records.h"

using namespace xiaoan;
using xiaoan::agent::sessions::SeatSessionTracker;
using xiaoan::agent::sessions::SeatSessionTrackerOptions;
using xiaoan::agent::sessions::SessionReporter;
using namespace std::chrono_literals;

namespace {

class Recorder final : public SessionReporter {
 public:
  void report(v1::SeatSessionEvent e) override {
    std::lock_guard lock(mu_);
    events.push_back(std::move(e));
  }
  std::vector<v1::SeatSessionEvent> take() {
    std::lock_guard lock(mu_);
    return std::exchange(events, {});
  }
  std::mutex mu_;
  std::vector<v1::SeatSessionEvent> events;
};

struct Dir {
  Dir() {
    path =
        std::filesystem::temp_directory_path() / ("xiaoan-seat-" + toHex(randomBytes(6).value()));
    std::filesystem::create_directories(path);
  }
  ~Dir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

LoginRecord login(std::string user, std::string line, int32_t pid,
                  std::chrono::system_clock::time_point t, std::string host = "") {
  LoginRecord r;
  r.kind = LoginRecord::Kind::kLogin;
  r.user = std::move(user);
  r.uid = 1001;
  r.line = std::move(line);
  r.host = std::move(host);
  r.pid = pid;
  r.time = t;
  return r;
}

LoginRecord record(LoginRecord::Kind kind, std::string line,
                   std::chrono::system_clock::time_point t) {
  LoginRecord r;
  r.kind = kind;
  r.line = std::move(line);
  r.time = t;
  return r;
}

struct Fixture {
  Dir dir;
  testing::FakeClock clock;
  testing::FakeLoginRecords records;
  Recorder reporter;
  SeatSessionTrackerOptions options(std::string boot = "boot-1") const {
    SeatSessionTrackerOptions o;
    o.state_path = (dir.path / "sessions.pb").string();
    o.boot_id = std::move(boot);
    return o;
  }
};

}  // namespace

TEST_CASE("a login is reported open once, its logout closed with the history's time") {
  Fixture f;
  const auto t0 = f.clock.now();
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  f.records.setCurrent({login("stu01", "tty2", 4242, t0 - 5s)});
  REQUIRE(tracker.pollNow().isOk());
  auto opened = f.reporter.take();
  REQUIRE(opened.size() == 1);
  CHECK(opened[0].user() == "stu01");
  CHECK(opened[0].uid() == 1001);
  CHECK(opened[0].where() == "tty2");
  CHECK(fromTimestamp(opened[0].start()) == t0 - 5s);
  CHECK_FALSE(opened[0].has_end());
  CHECK(opened[0].boot_id() == "boot-1");
  CHECK(opened[0].key().size() == 32);
  CHECK(tracker.openCount() == 1);

  // Nothing changed: nothing reported.
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.reporter.take().empty());

  f.clock.advance(40min);
  f.records.addHistory(record(LoginRecord::Kind::kLogout, "tty2", t0 + 30min));
  f.records.setCurrent({});
  REQUIRE(tracker.pollNow().isOk());
  auto closed = f.reporter.take();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].key() == opened[0].key());
  CHECK(closed[0].end_reason() == v1::SESSION_END_REASON_LOGOUT);
  CHECK(fromTimestamp(closed[0].end()) == t0 + 30min);
  CHECK(tracker.openCount() == 0);
}

TEST_CASE("two sessions on different seats lines are distinct; a reused line is a new session") {
  Fixture f;
  const auto t0 = f.clock.now();
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  f.records.setCurrent(
      {login("stu01", "tty2", 10, t0), login("stu02", "pts/0", 11, t0, "10.1.1.9")});
  REQUIRE(tracker.pollNow().isOk());
  auto opened = f.reporter.take();
  REQUIRE(opened.size() == 2);
  CHECK(opened[0].key() != opened[1].key());
  CHECK((opened[0].remote_host() == "10.1.1.9" || opened[1].remote_host() == "10.1.1.9"));

  // tty2 logged out and logged in again by someone else: one close (no history: now), one open.
  f.clock.advance(1min);
  f.records.setCurrent(
      {login("stu03", "tty2", 12, t0 + 1min), login("stu02", "pts/0", 11, t0, "10.1.1.9")});
  REQUIRE(tracker.pollNow().isOk());
  auto changes = f.reporter.take();
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].user() == "stu03");
  CHECK_FALSE(changes[0].has_end());
  CHECK(changes[1].user() == "stu01");
  CHECK(changes[1].end_reason() == v1::SESSION_END_REASON_LOGOUT);
  CHECK(fromTimestamp(changes[1].end()) == f.clock.now());
}

TEST_CASE("after an agent restart: an ended session is closed with its logout, or unobserved") {
  Fixture f;
  const auto t0 = f.clock.now();
  {
    SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
    f.records.setCurrent({login("stu01", "tty2", 10, t0), login("stu02", "tty3", 11, t0),
                          login("stu04", "tty4", 13, t0)});
    REQUIRE(tracker.pollNow().isOk());
    CHECK(f.reporter.take().size() == 3);
    f.clock.advance(6min);  // a heartbeat is written
    REQUIRE(tracker.pollNow().isOk());
    tracker.stop();
  }
  const auto last_seen = f.clock.now();
  f.clock.advance(1h);
  // While the agent was down: tty2 logged out (in the history), tty3 vanished without a trace,
  // tty4 is still logged in.
  f.records.addHistory(record(LoginRecord::Kind::kLogout, "tty2", last_seen + 10min));
  f.records.setCurrent({login("stu04", "tty4", 13, t0)});
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  REQUIRE(tracker.pollNow().isOk());
  auto closed = f.reporter.take();
  REQUIRE(closed.size() == 2);
  for (const auto& e : closed) {
    if (e.where() == "tty2") {
      CHECK(e.end_reason() == v1::SESSION_END_REASON_LOGOUT);
      CHECK(fromTimestamp(e.end()) == last_seen + 10min);
    } else {
      CHECK(e.where() == "tty3");
      CHECK(e.end_reason() == v1::SESSION_END_REASON_UNOBSERVED);
      CHECK(fromTimestamp(e.end()) == last_seen);
    }
  }
  CHECK(tracker.openCount() == 1);  // tty4, not reported again
}

TEST_CASE("after a reboot: open sessions end at the clean shutdown, else at the boot") {
  for (bool clean : {true, false}) {
    CAPTURE(clean);
    Fixture f;
    const auto t0 = f.clock.now();
    {
      SeatSessionTracker tracker(f.options("boot-1"), f.clock, f.records, f.reporter);
      f.records.setCurrent({login("stu01", "tty2", 10, t0)});
      REQUIRE(tracker.pollNow().isOk());
      f.reporter.take();
    }
    if (clean) f.records.addHistory(record(LoginRecord::Kind::kShutdown, "~", t0 + 2min));
    f.clock.advance(10h);
    f.records.setBootTime(t0 + 9h);
    f.records.setCurrent({});
    SeatSessionTracker tracker(f.options("boot-2"), f.clock, f.records, f.reporter);
    REQUIRE(tracker.pollNow().isOk());
    auto closed = f.reporter.take();
    REQUIRE(closed.size() == 1);
    CHECK(closed[0].end_reason() == v1::SESSION_END_REASON_REBOOT);
    CHECK(closed[0].boot_id() == "boot-1");
    CHECK(fromTimestamp(closed[0].end()) == (clean ? t0 + 2min : t0 + 9h));
    // Closed for good: a third start reports nothing.
    SeatSessionTracker again(f.options("boot-2"), f.clock, f.records, f.reporter);
    REQUIRE(again.pollNow().isOk());
    CHECK(f.reporter.take().empty());
  }
}

TEST_CASE("with no session open, unchanged records are not read again") {
  Fixture f;
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  REQUIRE(tracker.pollNow().isOk());
  const int calls = f.records.currentCalls();
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.records.currentCalls() == calls);
  f.records.setCurrent({login("stu01", "tty2", 10, f.clock.now())});
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.records.currentCalls() == calls + 1);
  CHECK(f.reporter.take().size() == 1);
}

TEST_CASE("disabled by policy: open sessions close now and nothing more is recorded") {
  Fixture f;
  const auto t0 = f.clock.now();
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  f.records.setCurrent({login("stu01", "tty2", 10, t0)});
  REQUIRE(tracker.pollNow().isOk());
  f.reporter.take();
  std::vector<std::string> closed_keys;
  tracker.setOnClose([&](const v1::SeatSessionEvent& e) { closed_keys.push_back(e.key()); });
  f.clock.advance(1min);
  tracker.setEnabled(false);
  auto closed = f.reporter.take();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].end_reason() == v1::SESSION_END_REASON_UNOBSERVED);
  CHECK(closed_keys.size() == 1);
  f.records.setCurrent({login("stu02", "tty3", 11, t0 + 1min)});
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.reporter.take().empty());
  tracker.setEnabled(true);
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.reporter.take().size() == 1);
}

TEST_CASE("unreadable records close nothing; a corrupt state file starts afresh") {
  Fixture f;
  const auto t0 = f.clock.now();
  REQUIRE(atomicWriteFile(f.options().state_path, "\xff\xff garbage").isOk());
  SeatSessionTracker tracker(f.options(), f.clock, f.records, f.reporter);
  f.records.setCurrent({login("stu01", "tty2", 10, t0)});
  REQUIRE(tracker.pollNow().isOk());
  CHECK(f.reporter.take().size() == 1);
  f.records.setCurrentError(Status(ErrorCode::kIo, "utmp unreadable"));
  CHECK(tracker.pollNow().code() == ErrorCode::kIo);
  CHECK(f.reporter.take().empty());
  CHECK(tracker.openCount() == 1);
}
