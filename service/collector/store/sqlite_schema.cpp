#include "service/collector/store/sqlite_schema.h"

#include <iterator>
#include <string>

namespace xiaoan::collector {

// Times are Unix milliseconds. Epochs (fixed64) are stored bit-for-bit as signed 64-bit.
const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS schools(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  abbr TEXT NOT NULL,
  created_at INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS enrollment_tokens(
  id TEXT PRIMARY KEY,
  secret_sha256 TEXT NOT NULL,
  school_id TEXT NOT NULL REFERENCES schools(id),
  expires_at INTEGER,
  max_uses INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0,
  revoked INTEGER NOT NULL DEFAULT 0,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS terminals(
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  hostname TEXT NOT NULL DEFAULT '',
  macs TEXT NOT NULL DEFAULT '',
  ipv4 TEXT NOT NULL DEFAULT '',
  os_version TEXT NOT NULL DEFAULT '',
  agent_id TEXT NOT NULL DEFAULT '',
  agent_version TEXT NOT NULL DEFAULT '',
  enrolled_at INTEGER,
  last_checkin INTEGER,
  policy_version INTEGER NOT NULL DEFAULT 0,
  spool_pending INTEGER NOT NULL DEFAULT 0,
  events_stored INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS terminals_school ON terminals(school_id);

CREATE TABLE IF NOT EXISTS terminal_macs(
  school_id TEXT NOT NULL,
  mac TEXT NOT NULL,
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  PRIMARY KEY(school_id, mac)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS agents(
  id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  school_id TEXT NOT NULL,
  token_id TEXT NOT NULL,
  cert_serial TEXT NOT NULL,
  smbios_uuid TEXT NOT NULL DEFAULT '',
  machine_id TEXT NOT NULL DEFAULT '',
  enrolled_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS agents_terminal ON agents(terminal_id);

CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  seq INTEGER,
  type TEXT NOT NULL,
  priority INTEGER NOT NULL,
  wall_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  body BLOB,
  payload_json TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events(agent_id, stream, epoch, seq);
CREATE INDEX IF NOT EXISTS events_type ON events(type, id);

CREATE TABLE IF NOT EXISTS stream_heads(
  agent_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  max_seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY(agent_id, stream, epoch)) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS admins(
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS admin_audit(
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  admin TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL);
)sql";

// Version 1 -> 2: the signed content channel (policy layers, rooms, what was issued).
const char* const kMigrationTo2 = R"sql(
ALTER TABLE terminals ADD COLUMN room TEXT NOT NULL DEFAULT '';

CREATE TABLE policy_layers(
  scope TEXT NOT NULL,
  id TEXT NOT NULL,
  policy BLOB NOT NULL,
  revision INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY(scope, id)) WITHOUT ROWID;

CREATE TABLE issued_content(
  agent_id TEXT PRIMARY KEY,
  policy_version INTEGER NOT NULL,
  policy_hash BLOB NOT NULL,
  policy_document BLOB NOT NULL,
  targets_version INTEGER NOT NULL,
  targets_envelope BLOB NOT NULL,
  targets_expires INTEGER NOT NULL,
  timestamp_version INTEGER NOT NULL,
  timestamp_envelope BLOB NOT NULL,
  timestamp_expires INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);

CREATE TABLE counters(
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO counters(name, value) VALUES('content_version', 0);
)sql";

// Version 2 -> 3: signature bundles (antivirus). Bundle versions have their own counter so that
// admins see 1, 2, 3 rather than gaps left by policy and metadata versions. `data` is the
// artifact (the serialized SignatureBundle), kept to restore a lost artifact file.
const char* const kMigrationTo3 = R"sql(
ALTER TABLE terminals ADD COLUMN signatures_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE terminals ADD COLUMN last_full_scan INTEGER;
ALTER TABLE issued_content ADD COLUMN signatures_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE signature_bundles(
  version INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  rule_count INTEGER NOT NULL,
  file_count INTEGER NOT NULL,
  published_at INTEGER NOT NULL,
  published_by TEXT NOT NULL,
  description TEXT NOT NULL,
  warnings BLOB NOT NULL,
  data BLOB NOT NULL);

INSERT INTO counters(name, value) VALUES('signatures_version', 0);
)sql";

// Version 3 -> 4: re-enrollment of known terminals (issue 10). reenroll_policy holds
// v1::ReenrollPolicy (0 = AUTO); key_sha256 is the SHA-256 of an instance's public key (DER),
// '' for instances enrolled before.
const char* const kMigrationTo4 = R"sql(
ALTER TABLE schools ADD COLUMN reenroll_policy INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN key_sha256 TEXT NOT NULL DEFAULT '';

CREATE TABLE pending_enrollments(
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  key_sha256 TEXT NOT NULL,
  hostname TEXT NOT NULL,
  macs TEXT NOT NULL,
  mismatched TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  approved INTEGER NOT NULL);
CREATE UNIQUE INDEX pending_enrollments_key ON pending_enrollments(terminal_id, key_sha256);
)sql";

// Version 4 -> 5: the seat registry (issue 11). Rooms become rows of their own, keyed per school
// by their name without blanks (name_key) so that "机房 1" cannot become a second "机房1"; the
// rooms terminals and room policy layers already name are carried over. registry_entries is
// the school's IP allocation table (MAC and IP unique collector-wide); a terminal is matched
// to an entry by MAC (registry_mac, registry_since: when it first claimed it; the earliest
// claimant holds the entry). terminal_compliance keeps each terminal's latest ComplianceStatus
// as reported at check-in, with its state and violation kinds for counting.
const char* const kMigrationTo5 = R"sql(
CREATE TABLE rooms(
  school_id TEXT NOT NULL REFERENCES schools(id),
  name_key TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(school_id, name_key)) WITHOUT ROWID;
INSERT OR IGNORE INTO rooms(school_id, name_key, name, created_at)
  SELECT school_id, replace(replace(room, ' ', ''), '　', ''), room, min(created_at)
  FROM terminals WHERE room <> '' GROUP BY school_id, room;
INSERT OR IGNORE INTO rooms(school_id, name_key, name, created_at)
  SELECT substr(id, 1, instr(id, '/') - 1),
         replace(replace(substr(id, instr(id, '/') + 1), ' ', ''), '　', ''),
         substr(id, instr(id, '/') + 1), updated_at
  FROM policy_layers WHERE scope = 'room' AND instr(id, '/') > 0
    AND substr(id, 1, instr(id, '/') - 1) IN (SELECT id FROM schools);

CREATE TABLE registry_entries(
  mac TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  room TEXT NOT NULL,
  seat INTEGER NOT NULL,
  owner TEXT NOT NULL,
  ipv4 TEXT NOT NULL,
  ip TEXT NOT NULL UNIQUE,
  gateway TEXT NOT NULL,
  dns TEXT NOT NULL,
  naming TEXT NOT NULL,
  line INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX registry_entries_school ON registry_entries(school_id, room, seat);

ALTER TABLE terminals ADD COLUMN permanent_macs TEXT NOT NULL DEFAULT '';
ALTER TABLE terminals ADD COLUMN registry_mac TEXT NOT NULL DEFAULT '';
ALTER TABLE terminals ADD COLUMN registry_since INTEGER;
CREATE INDEX terminals_registry ON terminals(registry_mac, registry_since);

CREATE TABLE terminal_compliance(
  terminal_id TEXT PRIMARY KEY REFERENCES terminals(id),
  state INTEGER NOT NULL,
  kinds TEXT NOT NULL,
  status BLOB NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Version 5 -> 6: browsing records, seat sessions and harmful-site alerts (issue 12). Events get
// no new index: retention walks them in id order (the order they were received in). Visits and
// alerts keep the agent's stable key, unique per terminal, so a re-read after a restore card
// adds nothing; rdomain is the domain with its labels reversed and a trailing dot
// ("com.baidu.www.") so that a domain and all its subdomains are one index range.
// school_id/room/seat are where the terminal sat at ingest.
const char* const kMigrationTo6 = R"sql(
CREATE TABLE browsing_visits(
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  key TEXT NOT NULL,
  school_id TEXT NOT NULL,
  room TEXT NOT NULL,
  seat INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  browser INTEGER NOT NULL,
  profile TEXT NOT NULL,
  url TEXT NOT NULL,
  domain TEXT NOT NULL,
  rdomain TEXT NOT NULL,
  title TEXT NOT NULL,
  visit_time INTEGER NOT NULL,
  transition INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  synced INTEGER NOT NULL,
  received_at INTEGER NOT NULL);
CREATE UNIQUE INDEX browsing_visits_key ON browsing_visits(terminal_id, key);
CREATE INDEX browsing_visits_time ON browsing_visits(visit_time);
CREATE INDEX browsing_visits_domain ON browsing_visits(rdomain, visit_time);
CREATE INDEX browsing_visits_terminal ON browsing_visits(terminal_id, visit_time);
CREATE INDEX browsing_visits_user ON browsing_visits(user_name, visit_time);
CREATE INDEX browsing_visits_school ON browsing_visits(school_id, visit_time);
CREATE INDEX browsing_visits_room ON browsing_visits(school_id, room, visit_time);

CREATE TABLE seat_sessions(
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  key TEXT NOT NULL,
  school_id TEXT NOT NULL,
  room TEXT NOT NULL,
  seat INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  uid INTEGER NOT NULL,
  location TEXT NOT NULL,
  remote_host TEXT NOT NULL,
  boot_id TEXT NOT NULL,
  start_time INTEGER NOT NULL,
  end_time INTEGER,
  end_reason INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX seat_sessions_key ON seat_sessions(terminal_id, key);
CREATE INDEX seat_sessions_time ON seat_sessions(start_time);
CREATE INDEX seat_sessions_terminal ON seat_sessions(terminal_id, start_time);
CREATE INDEX seat_sessions_user ON seat_sessions(user_name, start_time);
CREATE INDEX seat_sessions_school ON seat_sessions(school_id, room, start_time);

CREATE TABLE site_alerts(
  id INTEGER PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  key TEXT NOT NULL,
  school_id TEXT NOT NULL,
  room TEXT NOT NULL,
  seat INTEGER NOT NULL,
  category INTEGER NOT NULL,
  field INTEGER NOT NULL,
  pattern TEXT NOT NULL,
  blocked_category INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  browser INTEGER NOT NULL,
  profile TEXT NOT NULL,
  url TEXT NOT NULL,
  domain TEXT NOT NULL,
  rdomain TEXT NOT NULL,
  title TEXT NOT NULL,
  visit_time INTEGER NOT NULL,
  received_at INTEGER NOT NULL);
CREATE UNIQUE INDEX site_alerts_key ON site_alerts(terminal_id, key);
CREATE INDEX site_alerts_time ON site_alerts(visit_time);
CREATE INDEX site_alerts_school ON site_alerts(school_id, room, visit_time);
)sql";

namespace {

// Step i brings a database from version i to version i + 1.
constexpr const char* const* kSteps[] = {&kSchemaSql,    &kMigrationTo2, &kMigrationTo3,
                                         &kMigrationTo4, &kMigrationTo5, &kMigrationTo6};
static_assert(std::size(kSteps) == kSchemaVersion);

Result<int64_t> userVersion(SqliteDb& db) {
  XIAOAN_ASSIGN_OR_RETURN(auto stmt, db.prepare("PRAGMA user_version"));
  XIAOAN_ASSIGN_OR_RETURN(bool row, stmt->step());
  return row ? stmt->columnInt64(0) : 0;
}

Status checkNotNewer(int64_t version) {
  if (version <= kSchemaVersion) return Status::ok();
  return Status(ErrorCode::kDatabase, "database schema version " + std::to_string(version) +
                                          " is newer than this collector understands");
}

// Runs the missing steps; the caller holds the write transaction.
Status migrate(SqliteDb& db) {
  // Read again under the write lock: another process may have migrated meanwhile.
  XIAOAN_ASSIGN_OR_RETURN(int64_t version, userVersion(db));
  XIAOAN_RETURN_IF_ERROR(checkNotNewer(version));
  if (version == kSchemaVersion) return Status::ok();
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    XIAOAN_RETURN_IF_ERROR(db.exec(*kSteps[v]));
  }
  return db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion));
}

}  // namespace

Status applySchema(SqliteDb& db) {
  XIAOAN_ASSIGN_OR_RETURN(int64_t version, userVersion(db));
  XIAOAN_RETURN_IF_ERROR(checkNotNewer(version));
  if (version == kSchemaVersion) return Status::ok();
  XIAOAN_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  Status st = migrate(db);
  if (!st.isOk()) {
    (void)db.exec("ROLLBACK");
    return st;
  }
  return db.exec("COMMIT");
}

}  // namespace xiaoan::collector
