// The readers over every real browser database in ../shared/fixtures/browsers: each visit is
// read, and the counts and first/last visit times equal what the sqlite3 CLI computes from a
// copy of the same file. Files that are not history databases fail with E_DATABASE.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "agent/browsing/history_reader.h"
#include "agent/browsing/history_snapshot.h"
#include "platform/command_runner.h"
#include "tests/agent/browsing/browsing_test_util.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::browsing {
namespace {

namespace fs = std::filesystem;

std::string fixtureDir() {
  const char* env = std::getenv("XIAOAN_BROWSER_FIXTURES");
  return env != nullptr ? env : XIAOAN_BROWSER_FIXTURES;
}

// The database files of the fixture tree (licences, notes and SQL dumps are not).
std::vector<std::string> fixtureDatabases() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(fixtureDir())) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (ext == ".md" || ext == ".sql" || name.rfind("LICENSE", 0) == 0 ||
        name.find("-wal") != std::string::npos || name.find("-journal") != std::string::npos) {
      continue;
    }
    out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// sqlite3 CLI output of `sql` over a scratch copy of `db` (the fixture folder is read-only and
// a WAL database needs its -shm next to it).
std::string cli(const std::string& db, const std::string& sql, const testing::TempDir& tmp) {
  const std::string copy = tmp.sub("cli.db");
  fs::remove(copy);
  fs::remove(copy + "-wal");
  fs::copy_file(db, copy);
  if (fs::exists(db + "-wal")) fs::copy_file(db + "-wal", copy + "-wal");
  auto r = runCommand({"sqlite3", "-batch", "-noheader", "-separator", " ", copy, sql});
  REQUIRE(r.isOk());
  return r->out;
}

struct Expected {
  int64_t kept = 0, all = 0, first = 0, last = 0;
};

Expected expectedOf(const std::string& db, const testing::TempDir& tmp, bool* chromium,
                    bool* firefox) {
  const std::string tables =
      cli(db, "SELECT group_concat(name, ',') FROM sqlite_master WHERE type='table'", tmp);
  auto has = [&](const std::string& t) {
    return ("," + tables).find("," + t + ",") != std::string::npos ||
           ("," + tables).find("," + t + "\n") != std::string::npos;
  };
  *chromium = has("visits") && has("urls");
  *firefox = has("moz_historyvisits") && has("moz_places");
  Expected e;
  if (!*chromium && !*firefox) return e;
  const std::string join = *chromium
                               ? " FROM visits v JOIN urls u ON u.id = v.url"
                               : " FROM moz_historyvisits v JOIN moz_places p ON p.id = v.place_id";
  const std::string time = *chromium ? "v.visit_time" : "v.visit_date";
  const std::string keep =
      *chromium ? " WHERE (v.transition & 255) NOT IN (3, 4)" : " WHERE v.visit_type NOT IN (4, 8)";
  std::istringstream in(cli(db,
                            "SELECT count(*), coalesce(min(" + time + "),0), coalesce(max(" + time +
                                "),0)" + join + keep + "; SELECT count(*)" + join,
                            tmp));
  in >> e.kept >> e.first >> e.last >> e.all;
  return e;
}

TEST_CASE("every fixture database: all visits read, counts and times as the sqlite3 CLI says") {
  if (!fs::is_directory(fixtureDir())) {
    MESSAGE("no browser fixtures at " << fixtureDir() << ": skipped");
    return;
  }
  REQUIRE(commandExists("sqlite3"));
  testing::TempDir tmp;
  HistorySnapshot snapshot({tmp.sub("work"), uint64_t{512} << 20, 3});
  const auto dbs = fixtureDatabases();
  REQUIRE(dbs.size() >= 20);
  int histories = 0;
  for (const std::string& db : dbs) {
    INFO(db);
    bool chromium = false, firefox = false;
    const Expected want = expectedOf(db, tmp, &chromium, &firefox);
    const auto before = fs::last_write_time(db);
    auto copied = snapshot.copy(db, 0);
    REQUIRE(copied.isOk());
    auto reader = HistoryReader::open(snapshot.copyPath());
    if (!chromium && !firefox) {
      REQUIRE_FALSE(reader.isOk());
      CHECK(reader.status().code() == ErrorCode::kDatabase);
      continue;
    }
    REQUIRE(reader.isOk());
    CHECK((reader->format() == HistoryFormat::kChromium) == chromium);
    ++histories;
    HistoryCursor cursor;
    int64_t all = 0, kept = 0, first = 0, last = 0;
    while (true) {
      auto batch = reader->readAfter(cursor, 7);  // small batches: the cursor must carry over
      REQUIRE(batch.isOk());
      for (const RawVisit& v : batch->visits) {
        CHECK((v.raw_time > cursor.time || (v.raw_time == cursor.time && v.id > cursor.id)));
        cursor = {v.raw_time, v.id, false};
        ++all;
        if (v.subframe) continue;
        if (kept++ == 0) first = v.raw_time;
        last = v.raw_time;
        CHECK(v.transition != v1::VISIT_TRANSITION_UNSPECIFIED);
      }
      if (!batch->more) break;
    }
    CHECK(all == want.all);
    CHECK(kept == want.kept);
    CHECK(first == want.first);
    CHECK(last == want.last);
    if (chromium && kept > 0)
      CHECK(chromiumToUnixMicros(first) == want.first - testing::kChromeEpochOffset);
    snapshot.discard();
    CHECK(fs::last_write_time(db) == before);
    CHECK_FALSE(fs::exists(db + "-shm"));
  }
  CHECK(histories >= 18);
}

}  // namespace
}  // namespace xiaoan::agent::browsing
