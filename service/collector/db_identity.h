#pragma once

#include <optional>
#include <string>

#include "platform/error_code.h"
#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"

namespace xiaoan::collector {

// The identity of a collector database: a random id made by `init`, stored twice — inside the
// database (table collector_identity, outside the versioned schema: it is not collector data,
// and backups carry it with the pages) and in the marker file D/collector.id. `serve`, `check`
// and `restore` compare the two, so that a file that was emptied, deleted or replaced by another
// database is refused instead of being taken for (or silently recreated as) the collector's
// database.

// 16 random bytes as 32 lower-case hex digits.
Result<std::string> newDatabaseId();

// Records `id` in the database (replacing any earlier one).
Status stampDatabaseId(SqliteDb& db, const std::string& id);
// The id recorded in the database; nullopt when it has none. E_DATABASE ("failed its integrity
// check") when the file is not a database.
Result<std::optional<std::string>> readDatabaseId(SqliteDb& db, Lang lang);

// Writes the marker atomically and durably (0600).
Status writeIdMarker(const std::string& data_dir, const std::string& id);
// The marker's id; nullopt when there is no marker; E_DATABASE when it is unreadable.
Result<std::optional<std::string>> readIdMarker(const std::string& data_dir, Lang lang);

// The start-up check of `serve` (and `check`), before anything opens the database for use:
// with a marker, D/collector.db must exist, be non-empty and carry the marker's id; otherwise
// E_DATABASE (for a file that is no database: "failed its integrity check") with a message in
// `lang` that says what was found and how to recover. Returns the id; "" for a data dir made
// before markers existed (no marker, a collector database without an id: see adoptLegacy).
Result<std::string> verifyDatabaseIdentity(const std::string& data_dir, Lang lang);

// Gives a legacy data dir (verifyDatabaseIdentity returned "") its id: database, then marker.
Result<std::string> adoptLegacyDatabase(const std::string& data_dir);

}  // namespace xiaoan::collector
