#pragma once

#include "platform/result.h"
#include "service/collector/sqlite_db.h"

namespace xiaoan::collector {

// Schema version stored in PRAGMA user_version.
inline constexpr int kSchemaVersion = 1;

// The full schema (CREATE ... IF NOT EXISTS), also used by the ingest benchmark so that the
// raw-SQLite baseline writes into exactly the same tables and indexes.
extern const char* const kSchemaSql;

// Creates the schema in a new database or checks the version of an existing one
// (E_DATABASE when it is newer than this binary understands).
Status applySchema(SqliteDb& db);

}  // namespace xiaoan::collector
