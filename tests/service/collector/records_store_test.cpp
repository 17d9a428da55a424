// Browsing visits, seat sessions and site alerts (issue 12): extraction at ingest through the
// real event batch job on a real SQLite file, deduplication by key, searches with every filter,
// cursor pagination, the schema migration from version 5.
#include <doctest/doctest.h>
#include <google/protobuf/util/time_util.h>

#include <limits>
#include <set>

#include "service/collector/admin_api/record_cursor.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/agent_api/agent_jobs.h"
#include "service/collector/agent_api/record_codec.h"
#include "service/collector/store/sqlite_records.h"
#include "service/collector/store/sqlite_schema.h"
#include "tests/fakes/fake_clock.h"
#include "tests/service/collector/support/store_fixture.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;
using testing::kNow;
using testing::StoreFixture;
using testing::TempDir;

constexpr int64_t kMinute = 60'000;

v1::BrowsingVisit visit(const std::string& key, const std::string& url, const std::string& domain,
                        const std::string& title, int64_t at_ms, const std::string& user = "stu") {
  v1::BrowsingVisit v;
  v.set_key(key);
  v.set_user(user);
  v.set_browser(v1::BROWSER_KIND_CHROME);
  v.set_profile("Default");
  v.set_url(url);
  v.set_domain(domain);
  v.set_title(title);
  *v.mutable_visit_time() = TimeUtil::MillisecondsToTimestamp(at_ms);
  v.set_transition(v1::VISIT_TRANSITION_LINK);
  return v;
}

// An event of the activity stream at `seq` around `fill`.
template <typename Fill>
v1::Event event(uint64_t seq, Fill fill) {
  v1::Event e;
  e.set_stream("activity");
  e.set_epoch(7);
  e.set_seq(seq);
  e.set_priority(v1::PRIORITY_ACTIVITY);
  *e.mutable_wall_time() = TimeUtil::MillisecondsToTimestamp(kNow);
  fill(e);
  return e;
}

// A school s1 with room 机房1 and one enrolled terminal (agent "a1") in it.
struct RecordsFixture : StoreFixture {
  xiaoan::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::milliseconds(kNow))};
  std::string terminal;

  RecordsFixture() {
    addSchool("s1");
    addToken("t1", "s1");
    auto out = enroll(params("t1", "a1", {"02:00:00:00:00:01"}));
    REQUIRE(out.isOk());
    terminal = out->terminal_id;
    REQUIRE(store->addRoom("s1", "机房1", {kNow, "admin", "room.add", "s1", "{}"}).isOk());
    REQUIRE(store->setTerminalRoom(terminal, "机房1", {kNow, "admin", "terminal.room", "", "{}"})
                .isOk());
  }

  // Sends `events` as one batch through the codec and the writer's job; returns the stored and
  // duplicate counts the agent would be told.
  std::pair<uint32_t, uint32_t> ingest(const std::vector<v1::Event>& events) {
    v1::EventBatch batch;
    for (const auto& e : events) *batch.add_events() = e;
    auto decoded = decodeEventBatch(batch.SerializeAsString());
    REQUIRE_MESSAGE(decoded.isOk(), decoded.status().toString());
    v1::EventBatchResponse answer;
    EventBatchJob job(
        "a1", "127.0.0.1:1", std::move(*decoded), 1000, clock, {},
        Responder([&](HttpResponse r) { REQUIRE(answer.ParseFromString(r.body())); }));
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    REQUIRE(job.apply(**txn).isOk());
    REQUIRE((*txn)->commit().isOk());
    job.complete(Status::ok());
    return {answer.stored(), answer.duplicates()};
  }

  std::vector<StoredVisit> visits(RecordQuery q) {
    auto rows = store->searchVisits(q);
    REQUIRE_MESSAGE(rows.isOk(), rows.status().toString());
    return *rows;
  }
};

std::vector<std::string> keysOf(const std::vector<StoredVisit>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.visit.key);
  return out;
}

TEST_CASE("reversed domains put a domain and its subdomains in one range") {
  CHECK(reversedDomain("www.Baidu.com") == "com.baidu.www.");
  CHECK(reversedDomain("baidu.com.") == "com.baidu.");
  CHECK(reversedDomain("localhost") == "localhost.");
  CHECK(reversedDomain("") == ".");
}

TEST_CASE("visits are stored once per terminal and key, with the terminal's place") {
  RecordsFixture f;
  auto batch1 = event(1, [](v1::Event& e) {
    auto* b = e.mutable_browsing_visits();
    *b->add_visits() = visit("k1", "https://www.baidu.com/s?wd=x", "www.baidu.com", "百度一下",
                             kNow - 3 * kMinute);
    *b->add_visits() =
        visit("k2", "https://game.example.cn/", "game.example.cn", "小游戏", kNow - 2 * kMinute);
  });
  CHECK(f.ingest({batch1}) == std::pair<uint32_t, uint32_t>{1, 0});
  // A restore card wiped the agent's cursor: the same visits come again in a new event.
  auto reread = event(2, [](v1::Event& e) {
    auto* b = e.mutable_browsing_visits();
    *b->add_visits() = visit("k1", "https://www.baidu.com/s?wd=x", "www.baidu.com", "百度一下",
                             kNow - 3 * kMinute);
    *b->add_visits() =
        visit("k2", "https://game.example.cn/", "game.example.cn", "小游戏", kNow - 2 * kMinute);
    *b->add_visits() = visit("k3", "https://baidu.com/", "baidu.com", "百度", kNow - kMinute);
  });
  CHECK(f.ingest({reread}) == std::pair<uint32_t, uint32_t>{1, 0});
  // The same event resent (lost ack): a duplicate, nothing added.
  CHECK(f.ingest({reread}) == std::pair<uint32_t, uint32_t>{0, 1});

  auto all = f.visits({});
  REQUIRE(all.size() == 3);
  CHECK(keysOf(all) == std::vector<std::string>{"k3", "k2", "k1"});  // newest first
  const auto& k1 = all[2];
  CHECK(k1.at.place.terminal_id == f.terminal);
  CHECK(k1.at.place.school_id == "s1");
  CHECK(k1.at.place.room == "机房1");
  CHECK(k1.at.hostname == "pc-a1");
  CHECK(k1.at.received_at_ms == kNow);
  CHECK(k1.visit.title == "百度一下");
  CHECK(k1.visit.visit_time_ms == kNow - 3 * kMinute);
  CHECK(k1.visit.browser == v1::BROWSER_KIND_CHROME);
  CHECK(k1.visit.transition == v1::VISIT_TRANSITION_LINK);

  // The event row keeps the original record but only a summary as JSON.
  auto events = f.store->listEvents({"browsing_visits", "", std::nullopt, 10});
  REQUIRE(events.isOk());
  REQUIRE(events->size() == 2);
  CHECK((*events)[1].payload_json == R"({"visits":3})");
}

TEST_CASE("search filters: domain with subdomains, keyword in Chinese, user, place, time") {
  RecordsFixture f;
  f.ingest({event(1, [](v1::Event& e) {
    auto* b = e.mutable_browsing_visits();
    *b->add_visits() = visit("a", "https://www.baidu.com/", "www.baidu.com", "百度", kNow - 50);
    *b->add_visits() = visit("b", "https://baidu.com/", "baidu.com", "首页", kNow - 40);
    *b->add_visits() = visit("c", "https://notbaidu.com/", "notbaidu.com", "别的", kNow - 30);
    *b->add_visits() =
        visit("d", "https://x.cn/游戏?q=100%", "x.cn", "在线小游戏", kNow - 20, "li");
    *b->add_visits() = visit("e", "https://y.cn/_a", "y.cn", "Games", kNow - 10, "li");
  })});
  RecordQuery q;
  q.domain = "Baidu.COM";
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"b", "a"});
  q = {};
  q.domain = "www.baidu.com";
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"a"});
  q = {};
  q.keyword = "游戏";  // title "在线小游戏" and the URL
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"d"});
  q.keyword = "GAMES";  // ASCII case-insensitive
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"e"});
  q.keyword = "100%";  // LIKE wildcards are literal
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"d"});
  q.keyword = "_";
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"e"});
  q = {};
  q.user = "li";
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"e", "d"});
  q = {};
  q.since_ms = kNow - 40;
  q.until_ms = kNow - 20;  // exclusive
  CHECK(keysOf(f.visits(q)) == std::vector<std::string>{"c", "b"});
  q = {};
  q.school_id = "s1";
  q.room = "机房1";
  q.terminal_id = f.terminal;
  CHECK(f.visits(q).size() == 5);
  q.room = "机房2";
  CHECK(f.visits(q).empty());
  q = {};
  q.school_id = "s2";
  CHECK(f.visits(q).empty());
}

TEST_CASE("cursor pages: every row exactly once, newest first, also with equal times") {
  RecordsFixture f;
  std::vector<v1::Event> events;
  for (int n = 0; n < 10; ++n) {
    events.push_back(event(static_cast<uint64_t>(n + 1), [n](v1::Event& e) {
      for (int i = 0; i < 25; ++i) {
        // Pairs of visits share a time, so paging must also order by id.
        *e.mutable_browsing_visits()->add_visits() =
            visit("k" + std::to_string(n * 25 + i), "https://a.cn/" + std::to_string(i), "a.cn",
                  "t", kNow - (n * 25 + i) / 2);
      }
    }));
  }
  f.ingest(events);
  std::set<std::string> seen;
  RecordQuery q;
  q.limit = 7;
  int64_t last_time = std::numeric_limits<int64_t>::max();
  for (int page = 0; page < 100; ++page) {
    auto rows = f.visits(q);
    for (const auto& r : rows) {
      CHECK(r.visit.visit_time_ms <= last_time);
      last_time = r.visit.visit_time_ms;
      CHECK(seen.insert(r.visit.key).second);
    }
    if (rows.size() < q.limit) break;
    // What the admin API hands out and takes back.
    auto cursor = encodeRecordCursor('v', rows.back().visit.visit_time_ms, rows.back().at.id);
    auto after = decodeRecordCursor('v', cursor);
    REQUIRE(after.isOk());
    q.after = *after;
  }
  CHECK(seen.size() == 250);
}

TEST_CASE("record cursors: round trip, bound to their kind, anything else refused") {
  const std::string c = encodeRecordCursor('s', -5, 42);
  auto back = decodeRecordCursor('s', c);
  REQUIRE(back.isOk());
  CHECK(back->first == -5);
  CHECK(back->second == 42);
  CHECK(decodeRecordCursor('v', c).status().code() == ErrorCode::kInvalidArgument);
  for (std::string bad : {std::string(""), std::string("zz"), c.substr(1), c + "00",
                          std::string(200, 'a'), encodeRecordCursor('s', 1, 0)}) {
    CAPTURE(bad);
    CHECK(decodeRecordCursor('s', bad).status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("seat sessions: the open creates the row with the seat, the close sets its end") {
  RecordsFixture f;
  // The terminal holds registry entry seat 12 of 机房1.
  RegistryEntry entry;
  entry.room = "机房1";
  entry.seat = 12;
  entry.mac = "02:00:00:00:00:01";
  entry.ipv4 = "10.1.2.12/24";
  REQUIRE(f.store->replaceRegistry("s1", {entry}, {}, kNow, {kNow, "admin", "registry", "", "{}"})
              .isOk());
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    CheckinUpdate u;
    u.agent_id = "a1";
    u.hostname = "pc-a1";
    u.macs = {"02:00:00:00:00:01"};
    u.now_ms = kNow;
    REQUIRE((*txn)->recordCheckin(u).isOk());
    REQUIRE((*txn)->commit().isOk());
  }
  auto session = [](uint64_t seq, bool closed) {
    return event(seq, [closed](v1::Event& e) {
      auto* s = e.mutable_seat_session();
      s->set_key("s-1");
      s->set_user("张三");
      s->set_uid(1001);
      s->set_where("seat0");
      s->set_boot_id("boot");
      *s->mutable_start() = TimeUtil::MillisecondsToTimestamp(kNow - 60 * kMinute);
      if (closed) {
        *s->mutable_end() = TimeUtil::MillisecondsToTimestamp(kNow - 5 * kMinute);
        s->set_end_reason(v1::SESSION_END_REASON_LOGOUT);
      }
    });
  };
  f.ingest({session(1, false)});
  auto open = f.store->listSessions({});
  REQUIRE(open.isOk());
  REQUIRE(open->size() == 1);
  CHECK_FALSE((*open)[0].session.end_ms.has_value());
  CHECK((*open)[0].at.place.seat == 12);
  CHECK((*open)[0].at.place.room == "机房1");
  CHECK((*open)[0].session.user == "张三");

  f.ingest({session(2, true)});
  // A second close (e.g. replayed with another reason) does not move the end.
  auto late = session(3, true);
  *late.mutable_seat_session()->mutable_end() = TimeUtil::MillisecondsToTimestamp(kNow);
  late.mutable_seat_session()->set_end_reason(v1::SESSION_END_REASON_REBOOT);
  f.ingest({late});
  auto closed = f.store->listSessions({});
  REQUIRE(closed.isOk());
  REQUIRE(closed->size() == 1);
  CHECK((*closed)[0].session.end_ms == kNow - 5 * kMinute);
  CHECK((*closed)[0].session.end_reason == v1::SESSION_END_REASON_LOGOUT);
  RecordQuery by_user;
  by_user.user = "张三";
  CHECK(f.store->listSessions(by_user)->size() == 1);
}

TEST_CASE("site alerts: stored once per visit key, searchable by category") {
  RecordsFixture f;
  auto alert = [](uint64_t seq) {
    return event(seq, [](v1::Event& e) {
      e.set_stream("security");
      e.set_priority(v1::PRIORITY_SECURITY);
      auto* a = e.mutable_site_alert();
      a->set_category(v1::SITE_CATEGORY_GAMBLING);
      a->set_field(v1::SITE_MATCH_FIELD_DOMAIN);
      a->set_pattern("bet.example");
      *a->mutable_visit() =
          visit("v9", "https://www.bet.example/", "www.bet.example", "博彩", kNow);
    });
  };
  f.ingest({alert(1)});
  f.ingest({alert(2)});  // the same visit alerted again after a re-read
  RecordQuery q;
  q.category = v1::SITE_CATEGORY_GAMBLING;
  auto rows = f.store->listAlerts(q);
  REQUIRE(rows.isOk());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].alert.pattern == "bet.example");
  CHECK((*rows)[0].alert.visit.title == "博彩");
  q.category = v1::SITE_CATEGORY_GAMES;
  CHECK(f.store->listAlerts(q)->empty());
  q = {};
  q.domain = "bet.example";
  CHECK(f.store->listAlerts(q)->size() == 1);
}

TEST_CASE("record payloads are bounded: keys required, at most 500 visits, long texts cut") {
  auto rowOf = [](const v1::Event& e) {
    return decodeEventBatch([&] {
      v1::EventBatch b;
      *b.add_events() = e;
      return b.SerializeAsString();
    }());
  };
  auto no_key = event(1, [](v1::Event& e) {
    *e.mutable_browsing_visits()->add_visits() = visit("", "https://a/", "a", "", kNow);
  });
  CHECK(rowOf(no_key).status().code() == ErrorCode::kInvalidArgument);
  auto too_many = event(1, [](v1::Event& e) {
    for (int i = 0; i < 501; ++i) {
      *e.mutable_browsing_visits()->add_visits() =
          visit("k" + std::to_string(i), "u", "d", "", kNow);
    }
  });
  CHECK(rowOf(too_many).status().code() == ErrorCode::kInvalidArgument);
  auto no_start = event(1, [](v1::Event& e) { e.mutable_seat_session()->set_key("x"); });
  CHECK(rowOf(no_start).status().code() == ErrorCode::kInvalidArgument);
  // A title of 2000 bytes of three-byte characters is cut at a character boundary.
  std::string title;
  while (title.size() < 2000) title += "游";
  auto long_title = event(1, [&](v1::Event& e) {
    *e.mutable_browsing_visits()->add_visits() = visit("k", "https://a/", "A.CN", title, kNow);
  });
  auto decoded = rowOf(long_title);
  REQUIRE(decoded.isOk());
  const VisitRow& v = decoded->events[0].visits[0];
  CHECK(v.title.size() <= kMaxTitleBytes);
  CHECK(v.title.size() % 3 == 0);
  CHECK(v.domain == "a.cn");
  CHECK(cutUtf8("ab游", 3) == "ab");
}

TEST_CASE("a version 5 database migrates to 6 with its events kept") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    auto db = SqliteDb::open(path, true);
    REQUIRE(db.isOk());
    for (const char* step :
         {kSchemaSql, kMigrationTo2, kMigrationTo3, kMigrationTo4, kMigrationTo5}) {
      REQUIRE((*db)->exec(step).isOk());
    }
    REQUIRE((*db)
                ->exec("INSERT INTO events(agent_id, stream, epoch, seq, type, priority, "
                       "wall_time, received_at) VALUES('a', 'activity', 1, 1, 'diagnostic', 2, "
                       "5, 5); PRAGMA user_version=5")
                .isOk());
  }
  auto store = SqliteStore::open(path, false);
  REQUIRE(store.isOk());
  auto events = (*store)->listEvents({"", "", std::nullopt, 10});
  REQUIRE(events.isOk());
  CHECK(events->size() == 1);
  CHECK((*store)->searchVisits({})->empty());
  CHECK((*store)->listSessions({})->empty());
  CHECK((*store)->listAlerts({})->empty());
  auto db = SqliteDb::open(path, false);
  REQUIRE(db.isOk());
  auto version = (*db)->prepare("PRAGMA user_version");
  REQUIRE(version.isOk());
  REQUIRE(*(*version)->step());
  CHECK((*version)->columnInt64(0) == kSchemaVersion);
  CHECK(kSchemaVersion == 6);
}

}  // namespace
}  // namespace xiaoan::collector
