// The scanning service end to end on real files and real rules: on-demand scans with their
// progress and summary, detections reported or quarantined per policy, quarantine actions,
// on-access scans of a watched directory, and status.
#include "agent/scan/scan_service.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "tests/fakes/fake_user_sessions.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using xiaoan::testing::TempDir;
using Seconds = std::chrono::seconds;

// The EICAR test string, assembled so that this source file is not itself "detected".
std::string eicar() {
  return std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
}

// Records the service's events (its conditions are not the point here).
struct Env final : ScanReporter {
  TempDir dir;
  SystemClock clock;
  std::mutex mu;
  std::vector<std::pair<v1::Event, v1::Priority>> events;
  std::unique_ptr<ScanService> service;

  Env() {
    std::filesystem::create_directories(dir.sub("rules"));
    std::filesystem::create_directories(dir.sub("files"));
    dir.write("rules/eicar.yar",
              "rule EICAR_Test : test { strings: $e = \"X5O!P%@AP[4\\\\PZX54(P^)7CC)7}$EICAR\" "
              "condition: $e }");
    service = std::make_unique<ScanService>(
        ScanServiceOptions{dir.sub("state"), dir.sub("rules"), 2}, clock, *this,
        std::make_unique<xiaoan::testing::FakeUserSessions>());
    REQUIRE(service->start().isOk());
    REQUIRE(eventually([&] { return service->status().rule_count() == 1; }));
  }

  void emit(v1::Event payload, v1::Priority priority) override {
    std::lock_guard lock(mu);
    events.emplace_back(std::move(payload), priority);
  }
  void condition(const std::string&, const Status&) override {}

  template <typename Pred>
  static bool eventually(Pred pred) {
    for (int i = 0; i < 300; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return pred();
  }

  v1::ScanProgress scanToEnd(const std::vector<std::string>& paths) {
    auto started = service->startScan(paths);
    REQUIRE_MESSAGE(started.isOk(), started.status().toString());
    v1::ScanProgress p;
    REQUIRE(eventually([&] {
      auto now = service->getScan(started->scan_id());
      if (now.isOk()) p = *now;
      return now.isOk() && p.has_summary();
    }));
    return p;
  }

  std::vector<v1::Event> eventsOf(v1::Event::PayloadCase kind, v1::Priority* priority = nullptr) {
    std::lock_guard lock(mu);
    std::vector<v1::Event> out;
    for (const auto& [e, p] : events) {
      if (e.payload_case() != kind) continue;
      out.push_back(e);
      if (priority) *priority = p;
    }
    return out;
  }

  void policy(v1::EnforcementAction action, std::vector<std::string> on_access = {}) {
    v1::Policy p;
    p.mutable_scan()->set_action(action);
    p.mutable_scan()->set_enabled(!on_access.empty());
    p.mutable_scan()->set_removable_media(false);
    // A far-away window keeps the scheduled full scan of "/" out of the test.
    auto* w = p.mutable_scan()->add_windows();
    w->set_start("03:00");
    w->set_end("03:01");
    for (const auto& path : on_access) p.mutable_scan()->add_on_access_paths(path);
    service->applyPolicy(&p);
  }
};

TEST_CASE("on-demand: a detection is reported with its details; the summary counts all") {
  Env e;
  e.policy(v1::ENFORCEMENT_ACTION_REPORT);
  const std::string bad = e.dir.write("files/eicar.com", eicar());
  e.dir.write("files/clean.txt", "nothing to see");
  const v1::ScanProgress p = e.scanToEnd({e.dir.sub("files")});
  const auto& s = p.summary();
  CHECK(s.outcome() == v1::ScanSummaryEvent::OUTCOME_COMPLETED);
  CHECK(s.kind() == v1::SCAN_KIND_ON_DEMAND);
  CHECK(s.files_scanned() == 2);
  CHECK(s.detections() == 1);
  REQUIRE(p.detected_size() == 1);
  const auto& d = p.detected(0);
  CHECK(d.path() == bad);
  CHECK(d.action() == v1::DETECTION_ACTION_REPORTED);
  CHECK(d.size() == eicar().size());
  CHECK(d.sha256().size() == 32);
  REQUIRE(d.matches_size() == 1);
  CHECK(d.matches(0).rule() == "EICAR_Test");
  CHECK(d.matches(0).tags(0) == "test");
  CHECK(d.scan_kind() == v1::SCAN_KIND_ON_DEMAND);
  CHECK(d.scan_id() == s.scan_id());
  CHECK(std::filesystem::exists(bad));  // report only

  v1::Priority prio{};
  CHECK(e.eventsOf(v1::Event::kDetection, &prio).size() == 1);
  CHECK(prio == v1::PRIORITY_SECURITY);
  CHECK(e.eventsOf(v1::Event::kScanSummary, &prio).size() == 1);
  CHECK(prio == v1::PRIORITY_ACTIVITY);
  const v1::ScanStatus st = e.service->status();
  CHECK(st.detections() == 1);
  CHECK(st.files_scanned() >= 2);
  CHECK(st.bundle_version() == 0);
  CHECK(e.service->getScan("0000000000000000").status().code() == ErrorCode::kNotFound);
  CHECK(e.service->startScan({"relative/path"}).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("enforce: the file is quarantined; restore brings it back and is an event") {
  Env e;
  e.policy(v1::ENFORCEMENT_ACTION_ENFORCE);
  const std::string bad = e.dir.write("files/eicar.com", eicar());
  const v1::ScanProgress p = e.scanToEnd({bad});
  REQUIRE(p.detected_size() == 1);
  CHECK(p.detected(0).action() == v1::DETECTION_ACTION_QUARANTINED);
  const std::string id = p.detected(0).quarantine_id();
  CHECK_FALSE(std::filesystem::exists(bad));
  auto list = e.service->quarantineList();
  REQUIRE(list.isOk());
  REQUIRE(list->entries_size() == 1);
  CHECK(list->entries(0).id() == id);
  CHECK(e.service->status().quarantined() == 1);

  v1::QuarantineActionRequest restore;
  restore.set_kind(v1::QuarantineActionRequest::KIND_RESTORE);
  restore.set_id(id);
  auto back = e.service->quarantineAction(restore, 0);
  REQUIRE_MESSAGE(back.isOk(), back.status().toString());
  std::ifstream f(bad, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(content == eicar());
  const auto actions = e.eventsOf(v1::Event::kQuarantineAction);
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].quarantine_action().kind() == v1::QuarantineActionEvent::KIND_RESTORED);
  CHECK(actions[0].quarantine_action().restored_to() == bad);
  CHECK(e.service->status().quarantined() == 0);
  // Restored is a declared false positive: found again, it is reported, not quarantined.
  const v1::ScanProgress again = e.scanToEnd({bad});
  REQUIRE(again.detected_size() == 1);
  CHECK(again.detected(0).action() == v1::DETECTION_ACTION_REPORTED);
  CHECK(std::filesystem::exists(bad));
}

TEST_CASE("on-access: a file written into a watched directory is scanned and reported") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("watched"));
  e.policy(v1::ENFORCEMENT_ACTION_REPORT, {e.dir.sub("watched")});
  REQUIRE(Env::eventually([&] { return e.service->status().watched_paths() == 1; }));
  e.dir.write("watched/clean.txt", "fine");
  e.dir.write("watched/dropped.com", eicar());
  REQUIRE(Env::eventually([&] { return !e.eventsOf(v1::Event::kDetection).empty(); }));
  const auto d = e.eventsOf(v1::Event::kDetection)[0].detection();
  CHECK(d.path() == e.dir.sub("watched/dropped.com"));
  CHECK(d.scan_kind() == v1::SCAN_KIND_ON_ACCESS);
  // The on-access pass that found it sent its summary; quiet passes send none.
  REQUIRE(Env::eventually([&] { return !e.eventsOf(v1::Event::kScanSummary).empty(); }));
}

// Issue 10 finding 6 (RELIABILITY.md X5): a user writes a harmless file into a watched
// directory, then within the debounce renames its parent away and puts a symlink to a 0700
// directory of root's in its place, holding a file of the same name. Root must not scan that
// file, nor report it (its hash) under the user's path.
TEST_CASE("on-access: a parent swapped for a symlink to root's directory is not scanned") {
  Env e;
  namespace fs = std::filesystem;
  fs::create_directories(e.dir.sub("watched/sub"));
  fs::create_directories(e.dir.sub("secret"));
  fs::permissions(e.dir.sub("secret"), fs::perms::owner_all);
  e.dir.write("secret/dropped.com", eicar());  // root's own file, outside the watched tree
  e.policy(v1::ENFORCEMENT_ACTION_REPORT, {e.dir.sub("watched")});
  REQUIRE(Env::eventually([&] { return e.service->status().watched_paths() == 1; }));
  e.dir.write("watched/sub/dropped.com", "harmless");
  fs::rename(e.dir.sub("watched/sub"), e.dir.sub("watched/sub.old"));
  fs::create_directory_symlink(e.dir.sub("secret"), e.dir.sub("watched/sub"));
  // A real detection after the swap: once its pass has ended, the bait's pass has too (one
  // on-access pass at a time; the bait was queued first).
  const std::string control = e.dir.write("watched/control.com", eicar());
  std::string control_scan;
  REQUIRE(Env::eventually([&] {
    for (const auto& d : e.eventsOf(v1::Event::kDetection)) {
      if (d.detection().path() == control) control_scan = d.detection().scan_id();
    }
    return !control_scan.empty();
  }));
  REQUIRE(Env::eventually([&] {
    for (const auto& s : e.eventsOf(v1::Event::kScanSummary)) {
      if (s.scan_summary().scan_id() == control_scan) return true;
    }
    return false;
  }));
  for (const auto& d : e.eventsOf(v1::Event::kDetection)) {
    CHECK_MESSAGE(d.detection().path() == control, "reported: " << d.detection().path());
  }
  CHECK(e.eventsOf(v1::Event::kDetection).size() == 1);
}

TEST_CASE("a scheduled full scan is paced, survives a restart as the same pass, and completes") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("tree"));
  for (int i = 0; i < 40; ++i) {
    e.dir.write("tree/f" + std::to_string(i) + ".bin", std::string(256 * 1024, 'a' + i % 26));
  }
  v1::Policy p;
  auto* scan = p.mutable_scan();
  scan->set_enabled(true);
  scan->add_paths(e.dir.sub("tree"));
  scan->set_pause_when_user_active(false);
  scan->set_removable_media(false);
  scan->set_io_mib_per_second(1);  // 10 MiB at 1 MiB/s: about 10 s
  scan->add_on_access_paths(e.dir.sub("nothing-here"));
  e.service->applyPolicy(&p);
  std::string id;
  REQUIRE(Env::eventually([&] {
    const auto st = e.service->status();
    if (st.running_size() == 0 || st.state() != v1::SCAN_STATE_RUNNING) return false;
    id = st.running(0).scan_id();
    return st.running(0).kind() == v1::SCAN_KIND_SCHEDULED && st.cpu_cap_percent() == 25;
  }));
  // The agent stops mid-way: the pass ends INTERRUPTED and stays pending.
  e.service->stop();
  REQUIRE(Env::eventually([&] { return !e.eventsOf(v1::Event::kScanSummary).empty(); }));
  CHECK(e.eventsOf(v1::Event::kScanSummary)[0].scan_summary().outcome() ==
        v1::ScanSummaryEvent::OUTCOME_INTERRUPTED);
  CHECK_FALSE(e.service->status().has_last_full_scan());

  // The next start resumes it (same id), faster now, and completes it.
  e.service = std::make_unique<ScanService>(
      ScanServiceOptions{e.dir.sub("state"), e.dir.sub("rules"), 2}, e.clock, e,
      std::make_unique<xiaoan::testing::FakeUserSessions>());
  scan->set_io_mib_per_second(1000);
  e.service->applyPolicy(&p);
  REQUIRE(e.service->start().isOk());
  REQUIRE(Env::eventually([&] { return e.service->status().has_last_full_scan(); }));
  const auto summary = e.service->status().last_full_scan_summary();
  CHECK(summary.scan_id() == id);
  CHECK(summary.outcome() == v1::ScanSummaryEvent::OUTCOME_COMPLETED);
  CHECK(summary.kind() == v1::SCAN_KIND_SCHEDULED);
  CHECK(summary.files_scanned() + summary.files_cached() == 40);
  // The pass is recorded as the last full scan a moment before its job is reaped from the
  // running list (two parts, two locks): the state becomes IDLE right after, the next pass is
  // 7 days away.
  CHECK(Env::eventually([&] { return e.service->status().state() == v1::SCAN_STATE_IDLE; }));
}

TEST_CASE("no rules: NO_RULES in status; a degraded condition only while scanning is on") {
  TempDir dir;
  SystemClock clock;
  // Records the conditions set (the events are not the point here).
  struct Conditions final : ScanReporter {
    std::mutex mu;
    std::map<std::string, Status> set;
    void emit(v1::Event, v1::Priority) override {}
    void condition(const std::string& key, const Status& st) override {
      std::lock_guard lock(mu);
      set[key] = st;
    }
  } reporter;
  auto condition = [&](const std::string& key) {
    std::lock_guard lock(reporter.mu);
    return reporter.set.count(key) ? reporter.set[key].code() : ErrorCode::kInternal;
  };
  ScanService service({dir.sub("state"), dir.sub("no-rules-here"), 1}, clock, reporter,
                      std::make_unique<xiaoan::testing::FakeUserSessions>());
  REQUIRE(service.start().isOk());
  REQUIRE(Env::eventually([&] { return condition("scan_rules") != ErrorCode::kInternal; }));
  CHECK(condition("scan_rules") == ErrorCode::kOk);  // antivirus is off by default
  CHECK(service.status().state() == v1::SCAN_STATE_NO_RULES);
  CHECK(service.startScan({dir.str()}).status().code() == ErrorCode::kRulesMissing);
  v1::Policy p;
  p.mutable_scan()->set_enabled(true);
  service.applyPolicy(&p);
  CHECK(condition("scan_rules") == ErrorCode::kRulesMissing);
  p.mutable_scan()->set_enabled(false);
  service.applyPolicy(&p);
  CHECK(condition("scan_rules") == ErrorCode::kOk);
}

}  // namespace
}  // namespace xiaoan::agent::scan
