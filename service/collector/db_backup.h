#pragma once

#include <chrono>
#include <string>

#include "platform/error_code.h"
#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"

namespace xiaoan::collector {

// Copies the database open in `src` into the new file `dest_path` (created 0600; E_EXISTS when
// something is there) with SQLite's online backup API: one consistent snapshot, taken as a WAL
// reader, so the collector's writer goes on meanwhile. The copy is switched to rollback-journal
// mode (a single self-contained file), must pass integrity_check (E_DATABASE) and is
// synced. On failure nothing is left at `dest_path`.
Status copyDatabase(SqliteDb& src, const std::string& dest_path, Lang lang);

struct BackupResult {
  std::string db_id;   // the database's id (db_identity.h), carried by the backup
  uint64_t bytes = 0;  // size of the backup file
};

// `xiaoan-collector backup`: the data dir's database (verified as `serve` does, without the
// lock, so it works while the collector serves) copied into the new file `out`, which appears
// only complete, checked and synced (written beside it, then renamed). E_EXISTS when `out`
// exists.
Result<BackupResult> backupDatabase(const std::string& data_dir, const std::string& out, Lang lang);

struct RestoreResult {
  std::string db_id;
  std::string aside_dir;  // where the replaced database (and its WAL) was kept; "" when none
};

// `xiaoan-collector restore`: replaces the data dir's database with the backup `from`.
// Refuses (E_ALREADY_RUNNING) while a collector holds the data dir and holds the lock itself
// so none starts meanwhile; refuses (E_DATABASE) a backup that fails integrity_check,
// has no id or another collector's id than the marker. The backup is
// copied next to the database first; the old database and its WAL are then kept in
// D/db-before-restore-<unix seconds>/ and the copy is renamed over D/collector.db (atomic).
// The backup file itself is never changed.
Result<RestoreResult> restoreDatabase(const std::string& data_dir, const std::string& from,
                                      std::chrono::system_clock::time_point now, Lang lang);

}  // namespace xiaoan::collector
