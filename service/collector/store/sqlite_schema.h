#pragma once

#include "platform/result.h"
#include "service/collector/store/sqlite_db.h"

namespace xiaoan::collector {

// Schema version stored in PRAGMA user_version.
//   1: schools, tokens, terminals, agents, events, heads, admins, audit
//   2: policy layers, terminal rooms, issued signed content, the content version counter
//   3: signature bundles and their version counter, the bundle version named by the issued
//      targets, each terminal's loaded bundle version and last full scan
//   4: re-enrollment policy and pending re-enrollments
//   5: rooms, the seat registry, terminal-to-entry matching, latest compliance per terminal
//   6: browsing visits, seat sessions, site alerts
inline constexpr int kSchemaVersion = 6;

// The version 1 schema (CREATE ... IF NOT EXISTS), also used by the ingest benchmark so that the
// raw-SQLite baseline writes into exactly the same event tables and indexes.
extern const char* const kSchemaSql;
// The steps 1 -> 2 and 2 -> 3 (tests build databases of earlier releases with them).
extern const char* const kMigrationTo2;
extern const char* const kMigrationTo3;
extern const char* const kMigrationTo4;
extern const char* const kMigrationTo5;

// Creates the schema in a new database, or migrates an existing one step by step to
// kSchemaVersion in one transaction (E_DATABASE when it is newer than this binary understands).
// A new database goes through the same steps, so new and migrated databases are identical.
Status applySchema(SqliteDb& db);

}  // namespace xiaoan::collector
