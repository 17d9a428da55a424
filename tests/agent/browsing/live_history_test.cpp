// A browser at work: a writer holding the database in exclusive locking mode while the agent
// polls, a hot journal, a Firefox WAL holding every visit, history cleared, the database
// replaced, Chinese titles, a visit at midnight in Asia/Shanghai, and limits per poll.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/agent/browsing/collector_harness.h"

namespace xiaoan::agent::browsing {
namespace {

using testing::addChromiumVisit;
using testing::addFirefoxVisit;
using testing::CollectorHarness;
using testing::dayUs;
using testing::TestDb;

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_CASE("a writer in exclusive locking mode: every committed visit read once, original intact") {
  CollectorHarness h;
  TestDb db(h.profile.db_path);
  testing::createChromiumSchema(db);
  db.exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=2;");
  addChromiumVisit(db, "https://start.cn/", "start", dayUs(3));  // takes the exclusive lock
  {
    // Another connection cannot even read the live file: why the agent copies it.
    sqlite3* other = nullptr;
    sqlite3_open_v2(h.profile.db_path.c_str(), &other, SQLITE_OPEN_READONLY, nullptr);
    CHECK(sqlite3_exec(other, "SELECT count(*) FROM visits", nullptr, nullptr, nullptr) ==
          SQLITE_BUSY);
    sqlite3_close(other);
  }
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int t = 0; t < 60; ++t) {
      db.exec("BEGIN");
      for (int i = 0; i < 10; ++i) {
        addChromiumVisit(db, "https://site" + std::to_string(t) + ".cn/p" + std::to_string(i),
                         std::string(300, 'x'), dayUs(2) + t * 1000000 + i);
      }
      db.exec("COMMIT");
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    done = true;
  });
  int polls = 0;
  while (!done) {
    auto r = h.poll();
    CHECK((r.status.isOk() || r.status.code() == ErrorCode::kTimeout));
    ++polls;
  }
  writer.join();
  const std::string before = readBytes(h.profile.db_path);
  REQUIRE(h.poll().status.isOk());
  CHECK(readBytes(h.profile.db_path) == before);  // never written by the agent
  CHECK(h.sink.visits().size() == 601);
  CHECK(h.keysUnique());
  MESSAGE(polls << " polls while writing");
}

TEST_CASE("a hot journal: the copy rolls back to the last commit") {
  CollectorHarness h;
  TestDb db(h.profile.db_path);
  testing::createChromiumSchema(db);
  db.exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=1;");
  addChromiumVisit(db, "https://a.cn/", "a", dayUs(3));
  addChromiumVisit(db, "https://b.cn/", "b", dayUs(3) + 1);
  db.exec("BEGIN");
  for (int i = 0; i < 200; ++i) {
    addChromiumVisit(db, "https://big.cn/" + std::to_string(i), std::string(2000, 'y'),
                     dayUs(2) + i);
  }
  // The open transaction spilled pages into the database file: the journal is hot.
  const auto journal = h.profile.db_path + "-journal";
  REQUIRE(std::filesystem::exists(journal));
  REQUIRE(std::filesystem::file_size(journal) > 0);
  auto r = h.poll();
  REQUIRE(r.status.isOk());
  CHECK(h.sink.visits().size() == 2);
  db.exec("COMMIT");
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 202);
  CHECK(h.keysUnique());
}

TEST_CASE("Firefox: visits only in the -wal are read (the WAL is copied, never the -shm)") {
  CollectorHarness h(true);
  TestDb db(h.profile.db_path);
  testing::createFirefoxSchema(db);
  db.exec("PRAGMA wal_autocheckpoint=0;");
  addFirefoxVisit(db, "https://wal.cn/1", "one", dayUs(2), 2);
  addFirefoxVisit(db, "https://wal.cn/2", "two", dayUs(2) + 5, 1);
  addFirefoxVisit(db, "https://wal.cn/frame", "frame", dayUs(2) + 6, 4);  // embed: not sent
  REQUIRE(std::filesystem::file_size(h.profile.db_path + "-wal") > 0);
  {
    // The main file alone holds none of them.
    testing::TempDir other;
    std::filesystem::copy_file(h.profile.db_path, other.sub("main-only"));
    TestDb main_only(other.sub("main-only"));
    CHECK(main_only.scalar("SELECT count(*) FROM moz_historyvisits") <= 0);
  }
  REQUIRE(h.poll().status.isOk());
  auto visits = h.sink.visits();
  REQUIRE(visits.size() == 2);
  CHECK(visits[0].transition() == v1::VISIT_TRANSITION_TYPED);
  CHECK(visits[0].browser() == v1::BROWSER_KIND_FIREFOX);
  CHECK(visits[1].url() == "https://wal.cn/2");
}

TEST_CASE("history cleared: one reset event, new visits read, nothing sent twice") {
  CollectorHarness h;
  h.createChromium("https://old.cn/", 5, dayUs(3));
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 5);
  {
    TestDb db(h.profile.db_path);
    db.exec("DELETE FROM visits; DELETE FROM urls;");
  }
  REQUIRE(h.poll().status.isOk());
  auto history = h.sink.history();
  REQUIRE(history.size() == 2);  // found, then reset
  CHECK(history[0].kind() == v1::BrowsingHistoryEvent::KIND_PROFILE_FOUND);
  CHECK(history[1].kind() == v1::BrowsingHistoryEvent::KIND_HISTORY_RESET);
  CHECK(history[1].cursor_time().seconds() == dayUs(3) / 1000000);
  {
    TestDb db(h.profile.db_path);
    addChromiumVisit(db, "https://new.cn/", "n", dayUs(1));
  }
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.history().size() == 2);  // the reset is reported once
  CHECK(h.sink.visits().size() == 6);
  CHECK(h.keysUnique());
}

TEST_CASE("database replaced by another file: reported, only newer visits sent") {
  CollectorHarness h;
  h.createChromium("https://r.cn/", 3, dayUs(3));
  REQUIRE(h.poll().status.isOk());
  const std::string other = h.tmp.sub("profile/History.new");
  std::filesystem::copy_file(h.profile.db_path, other);
  {
    TestDb db(other);
    db.exec("VACUUM");
    addChromiumVisit(db, "https://r.cn/new", "r", dayUs(2));
  }
  std::filesystem::rename(other, h.profile.db_path);
  REQUIRE(h.poll().status.isOk());
  auto history = h.sink.history();
  REQUIRE(history.size() == 2);
  CHECK(history[1].kind() == v1::BrowsingHistoryEvent::KIND_DATABASE_REPLACED);
  auto visits = h.sink.visits();
  REQUIRE(visits.size() == 4);
  CHECK(visits[3].url() == "https://r.cn/new");
}

TEST_CASE("Chinese titles, invalid bytes and a visit exactly at midnight in Asia/Shanghai") {
  CollectorHarness h;
  {
    TestDb db(h.profile.db_path);
    testing::createChromiumSchema(db);
    addChromiumVisit(db, "https://news.cn/a", "新闻联播 — 央视网",
                     testing::kShanghaiMidnightUs - 1);
    addChromiumVisit(db, "https://news.cn/b", "午夜\xff新闻", testing::kShanghaiMidnightUs, 0,
                     2500000);
  }
  REQUIRE(h.poll().status.isOk());
  auto visits = h.sink.visits();
  REQUIRE(visits.size() == 2);
  CHECK(visits[0].title() == "新闻联播 — 央视网");
  CHECK(visits[0].visit_time().seconds() == 1767196799);
  CHECK(visits[0].visit_time().nanos() == 999999000);
  CHECK(visits[1].visit_time().seconds() == 1767196800);
  CHECK(visits[1].visit_time().nanos() == 0);
  CHECK(visits[1].title() == "午夜\xEF\xBF\xBD新闻");
  CHECK(visits[1].transition() == v1::VISIT_TRANSITION_LINK);
  CHECK(visits[1].duration_ms() == 2500);
  CHECK(visits[1].domain() == "news.cn");
}

TEST_CASE("unchanged database: no copy; a limit per poll continues at the next poll") {
  CollectorHarness h(false, 10);
  h.createChromium("https://l.cn/", 25, dayUs(3));
  auto r = h.poll();
  CHECK(r.read);
  CHECK(r.more);
  CHECK(h.sink.visits().size() == 10);
  CHECK(h.poll().more);
  r = h.poll();
  CHECK(r.read);
  CHECK_FALSE(r.more);
  CHECK(h.sink.visits().size() == 25);
  r = h.poll();
  CHECK_FALSE(r.read);  // size, mtime and identity unchanged: nothing copied
  CHECK(r.status.isOk());
  CHECK(h.keysUnique());
}

TEST_CASE("a full spool keeps the cursor: the visits come at the next poll, once") {
  CollectorHarness h;
  {
    TestDb db(h.profile.db_path);
    testing::createChromiumSchema(db);
    addChromiumVisit(db, "https://s.cn/", "s", dayUs(3));
  }
  h.sink.setFail(true);
  CHECK(h.poll().status.code() == ErrorCode::kSpoolFull);
  h.sink.setFail(false);
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 1);
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 1);
}

TEST_CASE("a symlinked or foreign database is refused, reported once") {
  CollectorHarness h;
  testing::TempDir elsewhere;
  {
    TestDb db(elsewhere.sub("History"));
    testing::createChromiumSchema(db);
    addChromiumVisit(db, "https://secret.cn/", "s", dayUs(3));
  }
  std::filesystem::create_symlink(elsewhere.sub("History"), h.profile.db_path);
  CHECK(h.poll().status.code() == ErrorCode::kPermissionDenied);
  CHECK(h.poll().status.code() == ErrorCode::kPermissionDenied);
  CHECK(h.sink.visits().empty());
  auto history = h.sink.history();
  REQUIRE(history.size() == 1);
  CHECK(history[0].kind() == v1::BrowsingHistoryEvent::KIND_UNREADABLE);
  CHECK(history[0].error().code() == "E_PERMISSION_DENIED");
}

TEST_CASE("restore card: state kept, database reset to an older copy: reset event, no loss") {
  CollectorHarness h;
  const std::string snapshot = h.tmp.sub("restore-image");
  h.createChromium("https://base.cn/", 4, dayUs(5));
  std::filesystem::copy_file(h.profile.db_path, snapshot);  // the image the card restores
  for (int day = 4; day >= 2; --day) {
    {
      TestDb db(h.profile.db_path);
      addChromiumVisit(db, "https://day.cn/" + std::to_string(day), "d", dayUs(day));
    }
    REQUIRE(h.poll().status.isOk());  // polled before shutdown
    h.restart();                      // reboot: the agent's state survives...
    std::ofstream(h.profile.db_path, std::ios::binary | std::ios::trunc) << readBytes(snapshot);
  }
  // ...and the browser's history is the image again (same file, older content).
  {
    TestDb db(h.profile.db_path);
    addChromiumVisit(db, "https://after.cn/", "a", dayUs(1));
  }
  REQUIRE(h.poll().status.isOk());
  CHECK(h.keysUnique());
  std::set<std::string> urls;
  for (const auto& v : h.sink.visits()) urls.insert(v.url());
  CHECK(urls.size() == 8);  // 4 base + 3 days + 1 after: each once
  CHECK(h.sink.visits().size() == 8);
  int resets = 0;
  for (const auto& e : h.sink.history())
    resets += e.kind() == v1::BrowsingHistoryEvent::KIND_HISTORY_RESET;
  CHECK(resets == 3);
}

TEST_CASE("a malformed time (text) stops the read there; later polls send nothing again") {
  CollectorHarness h;
  h.createChromium("https://m.cn/", 3, dayUs(3));
  {
    TestDb db(h.profile.db_path);
    db.exec(
        "INSERT INTO urls(url,title) VALUES('https://text-time.cn/','x');"
        "INSERT INTO visits(url,visit_time) VALUES(last_insert_rowid(),'not a number');");
    addChromiumVisit(db, "https://m.cn/after", "a", dayUs(2));
  }
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 4);  // the integer times, up to the text one
  {
    TestDb db(h.profile.db_path);
    addChromiumVisit(db, "https://m.cn/later", "l", dayUs(1));
  }
  REQUIRE(h.poll().status.isOk());
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.visits().size() == 5);
  CHECK(h.keysUnique());
}

TEST_CASE("one visit deleted below the cursor: a reset event; expiry of old visits is not one") {
  CollectorHarness h;
  {
    TestDb db(h.profile.db_path);
    testing::createChromiumSchema(db);
    addChromiumVisit(db, "https://old.cn/expired", "o", dayUs(60));  // outside the window
    for (int i = 0; i < 4; ++i)
      addChromiumVisit(db, "https://d.cn/" + std::to_string(i), "d", dayUs(3) + i);
  }
  REQUIRE(h.poll().status.isOk());
  {
    TestDb db(h.profile.db_path);
    db.exec("DELETE FROM visits WHERE visit_time < " +
            std::to_string(dayUs(59) + testing::kChromeEpochOffset));
    addChromiumVisit(db, "https://d.cn/new1", "n", dayUs(2));
  }
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.history().size() == 1);  // the browser expiring old visits: nothing to say
  {
    TestDb db(h.profile.db_path);  // the student hides one visit, keeps the newest
    db.exec("DELETE FROM visits WHERE id = 3");
    addChromiumVisit(db, "https://d.cn/new2", "n", dayUs(1));
  }
  REQUIRE(h.poll().status.isOk());
  auto history = h.sink.history();
  REQUIRE(history.size() == 2);
  CHECK(history[1].kind() == v1::BrowsingHistoryEvent::KIND_HISTORY_RESET);
  CHECK(history[1].cursor_time().seconds() == dayUs(2) / 1000000);
  CHECK(h.sink.visits().size() == 7);
  CHECK(h.keysUnique());
  {
    TestDb db(h.profile.db_path);
    addChromiumVisit(db, "https://d.cn/new3", "n", dayUs(1) + 5);
  }
  REQUIRE(h.poll().status.isOk());
  CHECK(h.sink.history().size() == 2);  // said once
  CHECK(h.sink.visits().size() == 8);
}

}  // namespace
}  // namespace xiaoan::agent::browsing
