// When scheduled full scans start, hold, go on and stop; what survives a restart.
#include "agent/scan/scheduler.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using std::chrono::hours;
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

ScheduleInput base() {
  ScheduleInput in;
  in.enabled = true;
  in.has_rules = true;
  in.now = kNow;
  in.interval_days = 7;
  in.last_full_scan = kNow - hours(24 * 3);
  return in;
}

TEST_CASE("disabled: nothing runs; a running pass stops (it stays pending)") {
  ScheduleInput in = base();
  in.enabled = false;
  CHECK(decide(in).action == ScheduleAction::kNone);
  CHECK(decide(in).state == v1::SCAN_STATE_DISABLED);
  in.job_running = true;
  CHECK(decide(in).action == ScheduleAction::kStop);
}

TEST_CASE("due after the interval, never scanned, or pending from before a restart") {
  ScheduleInput in = base();
  CHECK(decide(in).action == ScheduleAction::kNone);  // 3 of 7 days
  CHECK(decide(in).state == v1::SCAN_STATE_IDLE);
  in.last_full_scan = kNow - hours(24 * 7);
  CHECK(decide(in).action == ScheduleAction::kStart);
  CHECK(decide(in).state == v1::SCAN_STATE_RUNNING);
  in.last_full_scan.reset();
  CHECK(decide(in).action == ScheduleAction::kStart);
  in = base();
  in.pending = true;
  CHECK(decide(in).action == ScheduleAction::kStart);
}

TEST_CASE("a due pass waits for its window and for the user to leave") {
  ScheduleInput in = base();
  in.pending = true;
  in.in_window = false;
  CHECK(decide(in).action == ScheduleAction::kNone);
  CHECK(decide(in).state == v1::SCAN_STATE_WAITING_WINDOW);
  in.in_window = true;
  in.user_active = true;
  CHECK(decide(in).action == ScheduleAction::kNone);
  CHECK(decide(in).state == v1::SCAN_STATE_PAUSED_USER_ACTIVE);
}

TEST_CASE("a running pass pauses outside its window or while the user is active") {
  ScheduleInput in = base();
  in.job_running = true;
  CHECK(decide(in).action == ScheduleAction::kResume);
  in.in_window = false;
  CHECK(decide(in).action == ScheduleAction::kPause);
  CHECK(decide(in).state == v1::SCAN_STATE_WAITING_WINDOW);
  in.in_window = true;
  in.user_active = true;
  CHECK(decide(in).action == ScheduleAction::kPause);
  CHECK(decide(in).state == v1::SCAN_STATE_PAUSED_USER_ACTIVE);
}

TEST_CASE("no rules: nothing starts; after a failure not before the retry time") {
  ScheduleInput in = base();
  in.pending = true;
  in.has_rules = false;
  CHECK(decide(in).action == ScheduleAction::kNone);
  CHECK(decide(in).state == v1::SCAN_STATE_NO_RULES);
  in = base();
  in.last_full_scan.reset();
  in.not_before = kNow + hours(1);
  CHECK(decide(in).action == ScheduleAction::kNone);
  in.now = kNow + hours(1);
  CHECK(decide(in).action == ScheduleAction::kStart);
}

TEST_CASE("schedule state persists; a damaged file is set aside") {
  xiaoan::testing::TempDir dir;
  ScheduleStore store(dir.str());
  CHECK(store.load().ByteSizeLong() == 0);  // none yet
  v1::ScanStatus s;
  s.mutable_last_full_scan()->set_seconds(1'799'000'000);
  auto* pending = s.add_running();
  pending->set_scan_id("0123456789abcdef");
  pending->mutable_summary()->add_roots("/home");
  REQUIRE(store.save(s).isOk());
  struct stat st {};
  REQUIRE(::stat(store.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const v1::ScanStatus back = ScheduleStore(dir.str()).load();
  CHECK(back.last_full_scan().seconds() == 1'799'000'000);
  REQUIRE(back.running_size() == 1);
  CHECK(back.running(0).summary().roots(0) == "/home");

  std::ofstream(store.path(), std::ios::trunc) << "\xff\xff\xff garbage";
  CHECK(store.load().ByteSizeLong() == 0);
  CHECK(::stat((store.path() + ".bad").c_str(), &st) == 0);
}

}  // namespace
}  // namespace xiaoan::agent::scan
