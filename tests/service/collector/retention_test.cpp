// Retention (issue 12) on a real SQLite file: the county floors, per-school layers, odd
// timestamps, bounded batches, the audit record, and ingest running beside a pass.
#include "service/collector/retention_job.h"

#include <doctest/doctest.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <thread>

#include "service/collector/store/sqlite_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/service/collector/support/store_fixture.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;

constexpr int64_t kDay = 86'400'000;

// Schools s1 (defaults) and s2 (browsing kept 120 days), a terminal each.
struct RetentionFixture : StoreFixture {
  xiaoan::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(kNow))};
  TerminalPlace p1, p2;

  RetentionFixture() {
    addSchool("s1");
    addSchool("s2");
    addToken("t1", "s1");
    addToken("t2", "s2");
    p1 = {enrolled("t1", "a1", "02:00:00:00:00:01"), "s1", "", 0};
    p2 = {enrolled("t2", "a2", "02:00:00:00:00:02"), "s2", "", 0};
    v1::Policy longer;
    longer.mutable_retention()->set_browsing_days(120);
    putSchoolPolicy("s2", longer);
  }

  std::string enrolled(const std::string& token, const std::string& agent, const std::string& mac) {
    auto out = enroll(params(token, agent, {mac}));
    REQUIRE(out.isOk());
    return out->terminal_id;
  }

  void putSchoolPolicy(const std::string& school, const v1::Policy& p) {
    PolicyLayerRow layer{kScopeSchool, school, p.SerializeAsString(), 0, kNow, "admin"};
    REQUIRE(store->putPolicyLayer(layer, {kNow, "admin", "policy.put", school, "{}"}).isOk());
  }

  // `n` visits of `place` at `age_days` before now, received `received_age_days` before now.
  void addVisits(const TerminalPlace& place, const std::string& prefix, int n, double age_days,
                 double received_age_days) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    std::vector<VisitRow> rows;
    for (int i = 0; i < n; ++i) {
      VisitRow v;
      v.key = prefix + std::to_string(i);
      v.url = "https://a.cn/";
      v.domain = "a.cn";
      v.visit_time_ms = kNow - static_cast<int64_t>(age_days * kDay) + i;
      rows.push_back(v);
    }
    auto stored =
        (*txn)->insertVisits(place, rows, kNow - static_cast<int64_t>(received_age_days * kDay));
    REQUIRE(stored.isOk());
    REQUIRE(*stored == static_cast<uint64_t>(n));
    REQUIRE((*txn)->commit().isOk());
  }

  void addEvents(const std::string& agent, const std::string& stream, int priority, uint64_t first,
                 int n, double age_days) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    for (int i = 0; i < n; ++i) {
      EventRow row{stream,       1,        first + static_cast<uint64_t>(i),
                   "diagnostic", priority, kNow - static_cast<int64_t>(age_days * kDay),
                   "",           "{}"};
      REQUIRE((*txn)->insertEvent(agent, row, kNow - static_cast<int64_t>(age_days * kDay)).isOk());
    }
    REQUIRE((*txn)->commit().isOk());
  }

  void addSession(const TerminalPlace& place, const std::string& key, double start_age,
                  std::optional<double> end_age) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    SessionRow s;
    s.key = key;
    s.start_ms = kNow - static_cast<int64_t>(start_age * kDay);
    if (end_age) s.end_ms = kNow - static_cast<int64_t>(*end_age * kDay);
    REQUIRE((*txn)->upsertSession(place, s, kNow - static_cast<int64_t>(start_age * kDay)).isOk());
    REQUIRE((*txn)->commit().isOk());
  }

  size_t count(RecordQuery q = {}) {
    q.limit = 100000;
    auto rows = store->searchVisits(q);
    REQUIRE(rows.isOk());
    return rows->size();
  }

  size_t events(const std::string& stream) {
    auto rows = store->listEvents({"", "", std::nullopt, 100000});
    REQUIRE(rows.isOk());
    size_t n = 0;
    for (const auto& r : *rows) n += r.stream == stream ? 1 : 0;
    return n;
  }
};

RetentionOptions fast(uint32_t batch) {
  RetentionOptions o;
  o.batch_rows = batch;
  o.pause = std::chrono::milliseconds(0);
  return o;
}

TEST_CASE("the retention days: school layer over the defaults, never below the floors") {
  RetentionDays d = retentionDaysOf("");
  CHECK(d.browsing == 90);
  CHECK(d.security == 180);
  CHECK(d.sessions == 60);
  CHECK(d.activity == 90);
  v1::Policy p;
  p.mutable_retention()->set_browsing_days(10);  // stored before the floors were checked
  p.mutable_retention()->set_security_days(30);
  p.mutable_retention()->set_session_days(365);
  p.mutable_retention()->set_activity_days(1);
  d = retentionDaysOf(p.SerializeAsString());
  CHECK(d.browsing == 60);
  CHECK(d.security == 180);
  CHECK(d.sessions == 365);
  CHECK(d.activity == 30);
  CHECK(retentionDaysOf("\xff\xff not a policy").browsing == 90);
}

TEST_CASE("a pass deletes what is past each school's limit in bounded batches, nothing younger") {
  RetentionFixture f;
  f.addVisits(f.p1, "old", 450, 100, 100);       // s1 keeps 90 days: deleted
  f.addVisits(f.p1, "young", 30, 89, 89);        // kept
  f.addVisits(f.p2, "s2mid", 40, 100, 100);      // s2 keeps 120 days: kept
  f.addVisits(f.p2, "s2old", 25, 121, 121);      // deleted
  f.addVisits(f.p1, "clock", 20, 400, 1);        // a PC clock years off, received yesterday: kept
  f.addEvents("a1", "activity", 2, 1, 50, 95);   // activity 90 days: deleted
  f.addEvents("a1", "activity", 2, 100, 5, 80);  // kept
  f.addEvents("a1", "security", 1, 1, 7, 170);   // security 180: kept
  f.addEvents("a1", "security", 1, 10, 3, 181);  // deleted
  f.addSession(f.p1, "closed-old", 70, 65.0);    // sessions 60: deleted
  f.addSession(f.p1, "ended-late", 70, 50.0);    // started long ago, ended 50 days ago: kept
  f.addSession(f.p1, "open-old", 61, std::nullopt);  // never closed, started 61 days ago: deleted

  RetentionRunner runner(*f.store, f.clock, fast(100));
  auto report = runner.runPass("tester", false);
  REQUIRE_MESSAGE(report.isOk(), report.status().toString());
  CHECK(report->tables["browsing_visits"].deleted == 475);
  CHECK(report->tables["activity_events"].deleted == 50);
  CHECK(report->tables["security_events"].deleted == 3);
  CHECK(report->tables["seat_sessions"].deleted == 2);
  CHECK(report->schools["s1"]["browsing_visits"] == 450);
  CHECK(report->schools["s2"]["browsing_visits"] == 25);
  CHECK(report->deleted == 475 + 50 + 3 + 2);
  // 100 rows a transaction at most: 475 visits alone take 5.
  CHECK(report->transactions >= 5 + 1 + 1 + 1);

  CHECK(f.count() == 30 + 40 + 20);
  RecordQuery q;
  q.school_id = "s2";
  CHECK(f.count(q) == 40);
  CHECK(f.events("activity") == 5);
  CHECK(f.events("security") == 7);
  auto sessions = f.store->listSessions({});
  REQUIRE(sessions.isOk());
  REQUIRE(sessions->size() == 1);
  CHECK((*sessions)[0].session.key == "ended-late");

  auto audit = f.store->listAudit(1);
  REQUIRE(audit.isOk());
  REQUIRE(audit->size() == 1);
  CHECK((*audit)[0].action == "retention.run");
  CHECK((*audit)[0].admin == "tester");
  google::protobuf::Struct detail;
  REQUIRE(google::protobuf::util::JsonStringToMessage((*audit)[0].detail_json, &detail).ok());
  CHECK(detail.fields().at("deleted").number_value() == 530);
  CHECK(detail.fields().at("tables").struct_value().fields().at("browsing_visits").number_value() ==
        475);

  // A second pass finds nothing; a periodic one then leaves no audit row, an on-demand one does.
  auto again = runner.runPass("collector", false);
  REQUIRE(again.isOk());
  CHECK(again->deleted == 0);
  CHECK(f.store->listAudit(1)->at(0).admin == "tester");
  REQUIRE(runner.runPass("xiaoan-collector", true).isOk());
  CHECK(f.store->listAudit(1)->at(0).admin == "xiaoan-collector");
}

TEST_CASE("with the clock moved forward, old rows go while ingest continues beside the pass") {
  RetentionFixture f;
  f.addVisits(f.p1, "old", 3000, 20, 20);
  f.addVisits(f.p1, "mid", 500, 5, 5);
  // 75 days later the first visits are 95 days old, the others 80.
  f.clock.advance(std::chrono::hours(24 * 75));
  auto second = SqliteStore::open(f.dir.file("collector.db"), false);
  REQUIRE(second.isOk());
  std::atomic<bool> done{false};
  std::atomic<int> ingested{0};
  // Ingest on its own connection, as the collector's writer: new visits keep coming.
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    auto store = SqliteStore::open(f.dir.file("collector.db"), false);
    if (!store.isOk()) {
      writer_failed = true;
      return;
    }
    int n = 0;
    while (!done || n < 20) {
      auto txn = (*store)->beginWrite();
      VisitRow v;
      v.key = "new" + std::to_string(n);
      v.domain = "new.cn";
      v.visit_time_ms = kNow + 75 * kDay;
      if (!txn.isOk() || !(*txn)->insertVisits(f.p1, {v}, kNow + 75 * kDay).isOk() ||
          !(*txn)->commit().isOk()) {
        writer_failed = true;
        return;
      }
      ingested = ++n;
    }
  });
  RetentionRunner runner(**second, f.clock, fast(200));
  auto report = runner.runPass("tester", false);
  done = true;
  writer.join();
  CHECK_FALSE(writer_failed.load());
  REQUIRE_MESSAGE(report.isOk(), report.status().toString());
  CHECK(report->tables["browsing_visits"].deleted == 3000);
  CHECK(report->transactions >= 15);  // 200 rows at most each
  CHECK(report->max_hold_ns > 0);
  CHECK(f.count() == static_cast<size_t>(500 + ingested.load()));
}

}  // namespace
}  // namespace xiaoan::collector
