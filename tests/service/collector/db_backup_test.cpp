// Issue 10 finding 10: online backup while a writer commits, restore and its refusals.
#include "service/collector/db_backup.h"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "service/collector/data_dir_guard.h"
#include "service/collector/db_identity.h"
#include "tests/service/collector/support/data_dir_fixture.h"

namespace xiaoan::collector::testing {
namespace {

namespace fs = std::filesystem;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

int64_t fillerRows(const std::string& path) { return rawInt(path, "SELECT count(*) FROM filler"); }

// Commits one row per transaction into `path` until told to stop; counts the commits.
struct Writer {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> committed{0};
  std::atomic<bool> failed{false};
  std::thread thread;

  explicit Writer(const std::string& path) {
    thread = std::thread([this, path] {
      auto db = SqliteDb::open(path, false);
      while (db.isOk() && !stop.load() && !failed.load()) {
        if (!(*db)->exec("INSERT INTO filler(v) VALUES(printf('%0200d', random()))").isOk()) {
          failed = true;
        }
        committed.fetch_add(failed ? 0 : 1);
      }
      if (!db.isOk()) failed = true;
    });
  }
  ~Writer() {
    stop = true;
    thread.join();
  }
};

TEST_CASE("a backup taken while a writer commits is whole, checked and has the rows") {
  InitedDir d;
  addFiller(d.db(), 40000);  // ~10 MB: the copy takes long enough to overlap many commits
  const int64_t before = fillerRows(d.db());
  Writer writer(d.db());
  while (writer.committed.load() < 50 && !writer.failed.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t committed_at_start = before + writer.committed.load();
  const std::string out = d.tmp.file("backup.db");
  auto backup = backupDatabase(d.data_dir, out, Lang::kEn);
  const int64_t committed_at_end = before + writer.committed.load();
  REQUIRE_MESSAGE(backup.isOk(), backup.status().toString());
  CHECK_FALSE(writer.failed.load());  // the writer went on beside the backup
  // Commits went on while the copy was taken and checked (measured: ~60 on 2 busy cores).
  CHECK(committed_at_end > committed_at_start);
  CHECK(checkDatabaseFile(out, true, DbCheck::kFull, Lang::kEn).isOk());
  const int64_t rows = fillerRows(out);
  CHECK(rows >= committed_at_start);  // includes what the writer had committed
  CHECK(rows <= committed_at_end + 1);
  CHECK(rawInt(out, "SELECT count(*) FROM admins WHERE name = 'admin'") == 1);
  CHECK(backup->db_id == **readIdMarker(d.data_dir, Lang::kEn));
  CHECK(backup->bytes == fs::file_size(out));
  CHECK((fs::status(out).permissions() & fs::perms::others_read) == fs::perms::none);
  CHECK_FALSE(fs::exists(out + "-wal"));  // one self-contained file
}

TEST_CASE("backup never overwrites an existing file") {
  InitedDir d;
  const std::string out = d.tmp.write("taken.db", "keep me");
  auto backup = backupDatabase(d.data_dir, out, Lang::kEn);
  REQUIRE_FALSE(backup.isOk());
  CHECK(backup.status().code() == ErrorCode::kExists);
  CHECK(fs::file_size(out) == 7);
}

TEST_CASE("restore round trip: the backup's rows come back, the replaced database is kept") {
  InitedDir d;
  addFiller(d.db(), 100);
  const std::string out = d.tmp.file("backup.db");
  REQUIRE(backupDatabase(d.data_dir, out, Lang::kEn).isOk());
  addFiller(d.db(), 50);  // after the backup: gone after the restore, kept aside
  auto restored = restoreDatabase(d.data_dir, out, kNow, Lang::kEn);
  REQUIRE_MESSAGE(restored.isOk(), restored.status().toString());
  CHECK(fillerRows(d.db()) == 100);
  CHECK(restored->aside_dir == d.data_dir + "/db-before-restore-1800000000");
  CHECK(fillerRows(restored->aside_dir + "/collector.db") == 150);
  CHECK(fillerRows(out) == 100);  // the backup itself is untouched
  CHECK_FALSE(fs::exists(d.db() + ".restoring"));
  auto server = createServer(d.data_dir);
  CHECK_MESSAGE(server.isOk(), server.status().toString());
}

TEST_CASE("restore brings back a database that was emptied") {
  InitedDir d;
  addFiller(d.db(), 10);
  const std::string out = d.tmp.file("backup.db");
  REQUIRE(backupDatabase(d.data_dir, out, Lang::kEn).isOk());
  fs::resize_file(d.db(), 0);
  REQUIRE_FALSE(createServer(d.data_dir).isOk());
  REQUIRE(restoreDatabase(d.data_dir, out, kNow, Lang::kEn).isOk());
  CHECK(fillerRows(d.db()) == 10);
  CHECK(createServer(d.data_dir).isOk());
}

TEST_CASE("restore is refused while a collector holds the data dir") {
  InitedDir d;
  const std::string out = d.tmp.file("backup.db");
  REQUIRE(backupDatabase(d.data_dir, out, Lang::kEn).isOk());
  addFiller(d.db(), 5);
  auto server = createServer(d.data_dir);
  REQUIRE(server.isOk());
  auto restored = restoreDatabase(d.data_dir, out, kNow, Lang::kEn);
  REQUIRE_FALSE(restored.isOk());
  CHECK(restored.status().code() == ErrorCode::kAlreadyRunning);
  CHECK(fillerRows(d.db()) == 5);
  CHECK_FALSE(fs::exists(d.db() + ".restoring"));
}

TEST_CASE("restore refuses a damaged backup and leaves the database alone") {
  InitedDir d;
  addFiller(d.db(), 4000);
  const std::string out = d.tmp.file("backup.db");
  REQUIRE(backupDatabase(d.data_dir, out, Lang::kEn).isOk());
  corruptLastPage(out);
  addFiller(d.db(), 1);
  auto restored = restoreDatabase(d.data_dir, out, kNow, Lang::kEn);
  REQUIRE_FALSE(restored.isOk());
  CHECK(restored.status().code() == ErrorCode::kDatabase);
  CHECK(restored.status().message().find("failed its integrity check") != std::string::npos);
  CHECK(fillerRows(d.db()) == 4001);
  CHECK(createServer(d.data_dir).isOk());
}

TEST_CASE("restore refuses another collector's backup and a plain SQLite file") {
  InitedDir mine;
  InitedDir other;
  const std::string out = other.tmp.file("backup.db");
  REQUIRE(backupDatabase(other.data_dir, out, Lang::kEn).isOk());
  auto restored = restoreDatabase(mine.data_dir, out, kNow, Lang::kEn);
  REQUIRE_FALSE(restored.isOk());
  CHECK(restored.status().code() == ErrorCode::kDatabase);
  CHECK(restored.status().message().find("another collector's database") != std::string::npos);

  const std::string plain = mine.tmp.file("plain.db");
  rawExec(plain, "CREATE TABLE t(x);");
  auto from_plain = restoreDatabase(mine.data_dir, plain, kNow, Lang::kEn);
  REQUIRE_FALSE(from_plain.isOk());
  CHECK(from_plain.status().code() == ErrorCode::kDatabase);
  CHECK(from_plain.status().message().find("carries no database id") != std::string::npos);
  CHECK(createServer(mine.data_dir).isOk());
}

TEST_CASE(
    "restore after a crash: the old WAL is kept with the old file, never applied to the new") {
  InitedDir d;
  addFiller(d.db(), 10);
  const std::string out = d.tmp.file("backup.db");
  REQUIRE(backupDatabase(d.data_dir, out, Lang::kEn).isOk());
  // Commits that live only in the WAL, as a collector killed with -9 leaves them: copy the
  // files while the connection is open, then put the copies back after it closed.
  const std::string crash = d.tmp.file("crash");
  fs::create_directory(crash);
  {
    auto db = SqliteDb::open(d.db(), false);
    REQUIRE(db.isOk());
    REQUIRE((*db)->exec("PRAGMA wal_autocheckpoint=0").isOk());
    REQUIRE((*db)->exec("INSERT INTO filler(v) SELECT v FROM filler").isOk());
    for (const char* suffix : {"", "-wal"}) {
      fs::copy_file(d.db() + suffix, crash + "/collector.db" + suffix);
    }
  }
  for (const char* suffix : {"", "-wal"}) {
    fs::copy_file(crash + "/collector.db" + suffix, d.db() + suffix,
                  fs::copy_options::overwrite_existing);
  }
  REQUIRE(fs::file_size(d.db() + "-wal") > 0);
  auto restored = restoreDatabase(d.data_dir, out, kNow, Lang::kEn);
  REQUIRE_MESSAGE(restored.isOk(), restored.status().toString());
  CHECK(fillerRows(d.db()) == 10);
  CHECK(fillerRows(restored->aside_dir + "/collector.db") == 20);
  CHECK(checkDatabaseFile(d.db(), false, DbCheck::kFull, Lang::kEn).isOk());
  CHECK(createServer(d.data_dir).isOk());
}

}  // namespace
}  // namespace xiaoan::collector::testing
