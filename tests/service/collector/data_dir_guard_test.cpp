// Issue 10 finding 10: a damaged, replaced or shared collector database is refused at start.
// Each case goes through CollectorServer::create on a data dir made by the real `init`.
#include "service/collector/data_dir_guard.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "platform/file_util.h"
#include "platform/process_info.h"
#include "service/collector/db_identity.h"
#include "tests/service/collector/support/data_dir_fixture.h"

namespace xiaoan::collector::testing {
namespace {

namespace fs = std::filesystem;

void removeWal(const std::string& db) {
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
}

// The refusal of a damaged file (db_check.h) and of a missing, empty or foreign one.
bool isCorrupt(const Status& st) {
  return st.code() == ErrorCode::kDatabase &&
         st.message().find("failed its integrity check") != std::string::npos;
}
bool isMismatch(const Status& st, const std::string& what) {
  return st.code() == ErrorCode::kDatabase && !isCorrupt(st) &&
         st.message().find(what) != std::string::npos;
}

std::string markerId(const std::string& data_dir) {
  auto marker = readIdMarker(data_dir, Lang::kEn);
  REQUIRE(marker.isOk());
  REQUIRE(marker->has_value());
  return **marker;
}

TEST_CASE("a freshly initialised data dir is served and its marker names its database") {
  InitedDir d;
  const std::string id = markerId(d.data_dir);
  CHECK(id.size() == 32);
  auto server = createServer(d.data_dir);
  REQUIRE_MESSAGE(server.isOk(), server.status().toString());
  server->reset();
  auto again = createServer(d.data_dir, DbCheck::kFull);
  CHECK_MESSAGE(again.isOk(), again.status().toString());
}

TEST_CASE("a zero-length database is refused and not recreated empty") {
  InitedDir d;
  fs::resize_file(d.db(), 0);
  removeWal(d.db());
  auto server = createServer(d.data_dir);
  REQUIRE_FALSE(server.isOk());
  CHECK(isMismatch(server.status(), "is empty (0 bytes)"));
  CHECK(server.status().message().find("restore") != std::string::npos);
  CHECK(fs::file_size(d.db()) == 0);  // nothing was created in its place
}

TEST_CASE("a missing database is refused, not created") {
  InitedDir d;
  fs::remove(d.db());
  removeWal(d.db());
  auto server = createServer(d.data_dir);
  REQUIRE_FALSE(server.isOk());
  CHECK(isMismatch(server.status(), "is missing"));
  CHECK_FALSE(fs::exists(d.db()));
}

TEST_CASE("another collector's database copied in is refused") {
  InitedDir mine;
  InitedDir other;
  fs::copy_file(other.db(), mine.db(), fs::copy_options::overwrite_existing);
  auto server = createServer(mine.data_dir);
  REQUIRE_FALSE(server.isOk());
  CHECK(isMismatch(server.status(), "is not this data dir's database"));
  CHECK(server.status().message().find(markerId(other.data_dir)) != std::string::npos);
  CHECK(server.status().message().find(markerId(mine.data_dir)) != std::string::npos);
}

TEST_CASE("a foreign SQLite file or a file that is no database is refused") {
  InitedDir d;
  fs::remove(d.db());
  rawExec(d.db(), "CREATE TABLE t(x); INSERT INTO t VALUES(1);");
  auto foreign = createServer(d.data_dir);
  REQUIRE_FALSE(foreign.isOk());
  CHECK(isMismatch(foreign.status(), "(its id is none"));
  CHECK(rawInt(d.db(), "SELECT count(*) FROM sqlite_master WHERE name = 'admins'") == 0);

  fs::remove(d.db());
  removeWal(d.db());
  d.tmp.write("data/collector.db", std::string(8192, 'x'));
  auto garbage = createServer(d.data_dir);
  REQUIRE_FALSE(garbage.isOk());
  CHECK(isCorrupt(garbage.status()));
}

TEST_CASE("a corrupted last page is detected by the start-up quick_check") {
  InitedDir d;
  addFiller(d.db(), 4000);
  removeWal(d.db());
  corruptLastPage(d.db());
  auto server = createServer(d.data_dir);
  REQUIRE_FALSE(server.isOk());
  CHECK(isCorrupt(server.status()));
  auto full = createServer(d.data_dir, DbCheck::kFull);
  REQUIRE_FALSE(full.isOk());
  CHECK(isCorrupt(full.status()));
}

TEST_CASE("the full check finds an index that disagrees with its table; quick_check does not") {
  InitedDir d;
  addFiller(d.db(), 200);
  rawExec(d.db(), "CREATE INDEX filler_v ON filler(v);");
  // Declare the index partial (WHERE 0) behind SQLite's back: it still holds 200 entries where
  // the table says it should hold none. Only integrity_check compares indexes with tables.
  rawExec(d.db(),
          "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = 'CREATE INDEX filler_v ON "
          "filler(v) WHERE 0' WHERE name = 'filler_v';");
  auto quick = createServer(d.data_dir, DbCheck::kQuick);
  CHECK_MESSAGE(quick.isOk(), quick.status().toString());
  quick->reset();
  auto full = createServer(d.data_dir, DbCheck::kFull);
  REQUIRE_FALSE(full.isOk());
  CHECK(isCorrupt(full.status()));
}

TEST_CASE("a second collector on the same data dir is refused while the first one runs") {
  InitedDir d;
  auto first = createServer(d.data_dir);
  REQUIRE_MESSAGE(first.isOk(), first.status().toString());
  auto second = createServer(d.data_dir);
  REQUIRE_FALSE(second.isOk());
  CHECK(second.status().code() == ErrorCode::kAlreadyRunning);
  CHECK(second.status().message().find("pid " + std::to_string(currentProcessId())) !=
        std::string::npos);
  first->reset();
  auto after = createServer(d.data_dir);
  CHECK_MESSAGE(after.isOk(), after.status().toString());
}

TEST_CASE("a data dir of an earlier release (no marker, no id) gets its id at the first start") {
  InitedDir d;
  fs::remove(dbIdMarkerPath(d.data_dir));
  rawExec(d.db(), "DROP TABLE collector_identity;");
  auto server = createServer(d.data_dir);
  REQUIRE_MESSAGE(server.isOk(), server.status().toString());
  server->reset();
  const std::string id = markerId(d.data_dir);
  auto db = SqliteDb::openExisting(d.db(), true);
  REQUIRE(db.isOk());
  auto stored = readDatabaseId(**db, Lang::kEn);
  REQUIRE(stored.isOk());
  CHECK(stored->value_or("") == id);
}

TEST_CASE("a lost marker beside a stamped database is refused with the id to put back") {
  InitedDir d;
  const std::string id = markerId(d.data_dir);
  fs::remove(dbIdMarkerPath(d.data_dir));
  auto server = createServer(d.data_dir);
  REQUIRE_FALSE(server.isOk());
  CHECK(isMismatch(server.status(), "is missing; if this database (id " + id));
}

TEST_CASE("refusal messages are in Chinese by default") {
  InitedDir d;
  fs::resize_file(d.db(), 0);
  auto st = claimDataDir(d.data_dir, DbCheck::kQuick, Lang::kZhCn);
  REQUIRE_FALSE(st.isOk());
  CHECK(st.status().message().find("为空") != std::string::npos);
}

}  // namespace
}  // namespace xiaoan::collector::testing
