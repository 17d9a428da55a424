#include "service/collector/db_backup.h"

#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "common/text/tr.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "service/collector/data_dir_guard.h"
#include "service/collector/data_dir_layout.h"
#include "service/collector/db_identity.h"
#include "service/collector/store/db_check.h"

namespace xiaoan::collector {
namespace {

// A busy source (a checkpoint or a writer in rollback mode) is retried this long.
constexpr std::chrono::milliseconds kBusyPause{20};
constexpr int kBusyRetries = 500;

Status runBackup(SqliteDb& src, SqliteDb& dest) {
  sqlite3_backup* backup = sqlite3_backup_init(dest.raw(), "main", src.raw(), "main");
  if (backup == nullptr) return sqliteError(dest.raw(), "backup init");
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt <= kBusyRetries; ++attempt) {
    // -1: every page in one step, i.e. one read transaction and so one consistent snapshot.
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(kBusyPause);
  }
  const int finish_rc = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Status(ErrorCode::kDatabase, std::string("backup step: ") + sqlite3_errstr(rc) + " (" +
                                            sqlite3_errmsg(src.raw()) + ")");
  }
  if (finish_rc != SQLITE_OK) return sqliteError(dest.raw(), "backup finish");
  return Status::ok();
}

void removeDatabaseFiles(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) (void)removeFile(path + suffix);
}

Status copyInto(SqliteDb& src, const std::string& dest_path, Lang lang) {
  {
    XIAOAN_ASSIGN_OR_RETURN(auto dest, SqliteDb::openExisting(dest_path, /*read_only=*/false));
    XIAOAN_RETURN_IF_ERROR(runBackup(src, *dest));
    XIAOAN_RETURN_IF_ERROR(dest->exec("PRAGMA journal_mode=DELETE"));
    XIAOAN_RETURN_IF_ERROR(checkIntegrity(*dest, DbCheck::kFull, lang));
  }
  XIAOAN_ASSIGN_OR_RETURN(File file, File::open(dest_path));
  return file.sync();
}

std::string parentDir(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

Result<std::string> backupId(SqliteDb& db, const std::string& from, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(auto id, readDatabaseId(db, lang));
  if (id) return *id;
  return Status(ErrorCode::kDatabase,
                from + tr(lang, " 没有数据库标识，不是 xiaoan-collector backup 生成的备份",
                          " carries no database id: not a backup made by xiaoan-collector backup"));
}

// The backup must be whole and, when the data dir has a marker, of this collector's database.
Result<std::string> verifyBackup(const std::string& data_dir, const std::string& from, Lang lang) {
  XIAOAN_RETURN_IF_ERROR(checkDatabaseFile(from, /*read_only=*/true, DbCheck::kFull, lang));
  XIAOAN_ASSIGN_OR_RETURN(auto src, SqliteDb::openExisting(from, /*read_only=*/true));
  XIAOAN_ASSIGN_OR_RETURN(std::string id, backupId(*src, from, lang));
  XIAOAN_ASSIGN_OR_RETURN(auto marker, readIdMarker(data_dir, lang));
  if (marker && *marker != id) {
    return Status(
        ErrorCode::kDatabase,
        from +
            tr(lang, " 是另一个收集服务的数据库（标识 ", " is another collector's database (id ") +
            id + tr(lang, "，本数据目录为 ", ", this data dir's is ") + *marker +
            tr(lang, "）", ")"));
  }
  return id;
}

// Merges a WAL left by a killed collector into the old file where SQLite still can, so that the
// kept copy is one file; a damaged file keeps its WAL, moved along with it.
void settleOldDatabase(const std::string& db_path) {
  auto stat = statPath(db_path, /*follow=*/true);
  if (!stat.isOk() || stat->size == 0) return;
  auto db = SqliteDb::openExisting(db_path, /*read_only=*/false);
  if (db.isOk()) (void)(*db)->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<std::string> makeAsideDir(const std::string& data_dir,
                                 std::chrono::system_clock::time_point now) {
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string aside = data_dir + "/db-before-restore-" + std::to_string(seconds);
  for (int n = 2; pathExists(aside); ++n) {
    aside = data_dir + "/db-before-restore-" + std::to_string(seconds) + "-" + std::to_string(n);
  }
  XIAOAN_RETURN_IF_ERROR(makeDirs(aside, 0700));
  return aside;
}

// Keeps the old database in `aside`: the file itself by a second name (so D/collector.db stays
// in place until the rename replaces it), its WAL and shared-memory index moved (a stale WAL
// must never meet the restored file).
Status setAside(const std::string& data_dir, const std::string& aside) {
  XIAOAN_ASSIGN_OR_RETURN(File from, File::open(data_dir, OpenOptions::dir()));
  XIAOAN_ASSIGN_OR_RETURN(File to, File::open(aside, OpenOptions::dir()));
  const std::string name = std::filesystem::path(dbPath(data_dir)).filename().string();
  if (statAt(from, name).isOk()) XIAOAN_RETURN_IF_ERROR(linkAt(from, name, to, name));
  for (const std::string& side : {name + "-wal", name + "-shm"}) {
    if (statAt(from, side).isOk()) XIAOAN_RETURN_IF_ERROR(renameAt(from, side, to, side));
  }
  XIAOAN_RETURN_IF_ERROR(to.sync());
  return from.sync();
}

// Keeps the old database aside (when there is one) and renames `incoming` over it; returns the
// aside directory ("" when there was nothing to keep).
Result<std::string> replaceDatabase(const std::string& data_dir, const std::string& incoming,
                                    std::chrono::system_clock::time_point now) {
  const std::string db_path = dbPath(data_dir);
  std::string aside;
  settleOldDatabase(db_path);
  if (pathExists(db_path) || pathExists(db_path + "-wal")) {
    XIAOAN_ASSIGN_OR_RETURN(aside, makeAsideDir(data_dir, now));
    XIAOAN_RETURN_IF_ERROR(setAside(data_dir, aside));
  }
  XIAOAN_RETURN_IF_ERROR(setPathMode(incoming, 0600));
  XIAOAN_RETURN_IF_ERROR(renamePath(incoming, db_path));
  XIAOAN_RETURN_IF_ERROR(fsyncDir(data_dir));
  return aside;
}

}  // namespace

Status copyDatabase(SqliteDb& src, const std::string& dest_path, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(File created,
                          File::open(dest_path, OpenOptions::write(OpenCreate::kNew)));
  created.close();
  Status st = copyInto(src, dest_path, lang);
  if (!st.isOk()) removeDatabaseFiles(dest_path);
  return st;
}

Result<BackupResult> backupDatabase(const std::string& data_dir, const std::string& out,
                                    Lang lang) {
  if (pathExists(out)) {
    return Status(ErrorCode::kExists,
                  out + tr(lang, " 已存在，不会覆盖", " exists; not overwritten"));
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string id, verifyDatabaseIdentity(data_dir, lang));
  if (id.empty()) {
    XIAOAN_ASSIGN_OR_RETURN(id, adoptLegacyDatabase(data_dir));
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string suffix, randomBytes(4));
  const std::string partial = out + ".partial-" + toHex(suffix);
  {
    XIAOAN_ASSIGN_OR_RETURN(auto src, SqliteDb::openExisting(dbPath(data_dir), false));
    XIAOAN_RETURN_IF_ERROR(copyDatabase(*src, partial, lang));
  }
  Status st = renamePath(partial, out);
  if (st.isOk()) st = fsyncDir(parentDir(out));
  if (!st.isOk()) {
    removeDatabaseFiles(partial);
    return st;
  }
  XIAOAN_ASSIGN_OR_RETURN(FileStat stat, statPath(out));
  return BackupResult{id, stat.size};
}

Result<RestoreResult> restoreDatabase(const std::string& data_dir, const std::string& from,
                                      std::chrono::system_clock::time_point now, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(InstanceLock lock, lockDataDir(data_dir, lang));
  XIAOAN_ASSIGN_OR_RETURN(std::string id, verifyBackup(data_dir, from, lang));
  const std::string db_path = dbPath(data_dir);
  const std::string incoming = db_path + ".restoring";
  removeDatabaseFiles(incoming);  // left by a restore that died; we hold the lock
  {
    XIAOAN_ASSIGN_OR_RETURN(auto src, SqliteDb::openExisting(from, /*read_only=*/true));
    XIAOAN_RETURN_IF_ERROR(copyDatabase(*src, incoming, lang));
  }
  auto aside = replaceDatabase(data_dir, incoming, now);
  if (!aside.isOk()) {
    removeDatabaseFiles(incoming);
    return aside.status();
  }
  RestoreResult result{id, *aside};
  XIAOAN_ASSIGN_OR_RETURN(auto marker, readIdMarker(data_dir, lang));
  if (!marker) XIAOAN_RETURN_IF_ERROR(writeIdMarker(data_dir, id));
  return result;
}

}  // namespace xiaoan::collector
