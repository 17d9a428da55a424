#pragma once

#include "platform/error_code.h"
#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"

namespace xiaoan::collector {

// How thoroughly a database is checked: kQuick is PRAGMA quick_check (every page and b-tree,
// not index contents; seconds on a large file), kFull is PRAGMA integrity_check (also every
// index against its table; minutes on a large file).
enum class DbCheck { kQuick, kFull };

// Runs the check on `db`. OK when SQLite answers the single row "ok"; E_DATABASE "... failed
// its integrity check: ..." with
// the first problems it names (or SQLite's corruption error) otherwise, the message in `lang`;
// E_DATABASE when the check itself cannot run (e.g. the file is locked).
Status checkIntegrity(SqliteDb& db, DbCheck level, Lang lang);

// Opens `path` as it is and checks it, as above. A database in use (or left with a hot WAL by a
// crash) needs read_only = false so that SQLite can recover the WAL; a file given by a person
// (a backup) is opened read-only and never changed.
Status checkDatabaseFile(const std::string& path, bool read_only, DbCheck level, Lang lang);

// The integrity-check failure for SQLite's "not a database" and "malformed" answers, `st`
// otherwise.
Status corruptionAsCode(sqlite3* db, const Status& st, const std::string& path, Lang lang);

}  // namespace xiaoan::collector
