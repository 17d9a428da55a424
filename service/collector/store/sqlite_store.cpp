#include "service/collector/store/sqlite_store.h"

#include "platform/file.h"
#include "service/collector/store/sqlite_content.h"
#include "service/collector/store/sqlite_records.h"
#include "service/collector/store/sqlite_reenroll.h"
#include "service/collector/store/sqlite_registry.h"
#include "service/collector/store/sqlite_schema.h"
#include "service/collector/store/sqlite_signatures.h"
#include "service/collector/store/sqlite_write_txn.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kTokenColumns =
    "id, secret_sha256, school_id, expires_at, max_uses, uses, revoked, note, created_at";

TokenRow tokenFromRow(const SqliteStatement& st) {
  TokenRow t;
  t.id = st.columnText(0);
  t.secret_sha256_hex = st.columnText(1);
  t.school_id = st.columnText(2);
  t.expires_at_ms = st.columnOptionalInt64(3);
  t.max_uses = static_cast<uint32_t>(st.columnInt64(4));
  t.uses = static_cast<uint32_t>(st.columnInt64(5));
  t.revoked = st.columnInt64(6) != 0;
  t.note = st.columnText(7);
  t.created_at_ms = st.columnInt64(8);
  return t;
}

TerminalRow terminalFromRow(const SqliteStatement& st) {
  TerminalRow t;
  t.id = st.columnText(0);
  t.school_id = st.columnText(1);
  t.hostname = st.columnText(2);
  t.macs = splitList(st.columnText(3));
  t.ipv4 = splitList(st.columnText(4));
  t.agent_id = st.columnText(5);
  t.agent_version = st.columnText(6);
  t.os_version = st.columnText(7);
  t.enrolled_at_ms = st.columnOptionalInt64(8);
  t.last_checkin_ms = st.columnOptionalInt64(9);
  t.events_stored = static_cast<uint64_t>(st.columnInt64(10));
  t.policy_version = static_cast<uint64_t>(st.columnInt64(11));
  t.spool_pending = static_cast<uint64_t>(st.columnInt64(12));
  t.room = st.columnText(13);
  t.signatures_version = static_cast<uint64_t>(st.columnInt64(14));
  t.last_full_scan_ms = st.columnOptionalInt64(15);
  return t;
}

// The query text depends only on which filters are set, so each variant is prepared once and
// can use the matching index.
std::string eventQuerySql(const EventQuery& q) {
  std::string sql = std::string("SELECT ") + kStoredEventColumns +
                    " FROM events e LEFT JOIN agents a ON a.id = e.agent_id WHERE 1";
  if (!q.type.empty()) sql += " AND e.type = ?1";
  if (!q.terminal_id.empty()) {
    sql += " AND e.agent_id IN (SELECT id FROM agents WHERE terminal_id = ?2)";
  }
  if (q.since_ms) sql += " AND e.wall_time >= ?3";
  sql += " ORDER BY e.id LIMIT ?4";
  return sql;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, bool create) {
  if (!create) {
    if (!statPath(path, /*follow=*/true).isOk()) {
      return Status(ErrorCode::kNotFound, "database " + path + " does not exist");
    }
  }
  XIAOAN_ASSIGN_OR_RETURN(auto db, SqliteDb::open(path, create));
  XIAOAN_RETURN_IF_ERROR(applySchema(*db));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

Result<std::unique_ptr<WriteTxn>> SqliteStore::beginWrite() {
  XIAOAN_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<WriteTxn>(std::make_unique<SqliteWriteTxn>(*db_));
}

Status SqliteStore::insertAudit(const AuditRow& audit) { return writeAudit(*db_, audit); }

Status SqliteStore::addSchool(const SchoolRow& school, const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db_->prepare("INSERT OR IGNORE INTO schools(id, name, abbr, created_at, "
                              "reenroll_policy) VALUES(?1, ?2, ?3, ?4, ?5)"));
    st->bind(1, school.id)
        .bind(2, school.name)
        .bind(3, school.abbr)
        .bind(4, school.created_at_ms)
        .bind(5, static_cast<int64_t>(school.reenroll_policy));
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  if (db_->changes() == 0) {
    return Status(ErrorCode::kInvalidArgument, "school " + school.id + " already exists");
  }
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<std::vector<SchoolRow>> SqliteStore::listSchools() {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_->prepare("SELECT id, name, abbr, created_at, reenroll_policy FROM schools "
                            "ORDER BY id"));
  std::vector<SchoolRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    const auto policy = st->columnInt64(4) == static_cast<int64_t>(ReenrollPolicy::kApprove)
                            ? ReenrollPolicy::kApprove
                            : ReenrollPolicy::kAuto;
    out.push_back(
        {st->columnText(0), st->columnText(1), st->columnText(2), st->columnInt64(3), policy});
  }
  return out;
}

Status SqliteStore::setReenrollPolicy(const std::string& school_id, ReenrollPolicy policy,
                                      const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(writeReenrollPolicy(*db_, school_id, policy));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<std::vector<PendingEnrollmentRow>> SqliteStore::listPendingEnrollments(
    const std::string& school_filter) {
  return readPendingEnrollments(*db_, school_filter);
}

Result<PendingEnrollmentRow> SqliteStore::approvePendingEnrollment(const std::string& id,
                                                                   const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_ASSIGN_OR_RETURN(PendingEnrollmentRow row, markPendingApproved(*db_, id));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  XIAOAN_RETURN_IF_ERROR(txn.commit());
  return row;
}

Status SqliteStore::addToken(const TokenRow& token, const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(checkSchool(token.school_id));
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db_->prepare("INSERT INTO enrollment_tokens(id, secret_sha256, school_id, "
                              "expires_at, max_uses, uses, revoked, note, created_at) "
                              "VALUES(?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7)"));
    st->bind(1, token.id)
        .bind(2, token.secret_sha256_hex)
        .bind(3, token.school_id)
        .bind(4, token.expires_at_ms)
        .bind(5, static_cast<int64_t>(token.max_uses))
        .bind(6, token.note)
        .bind(7, token.created_at_ms);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<std::vector<TokenRow>> SqliteStore::listTokens(const std::string& school_filter) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db_->prepare(std::string("SELECT ") + kTokenColumns +
                                       " FROM enrollment_tokens WHERE ?1 = '' OR school_id = ?1 "
                                       "ORDER BY created_at, id"));
  st->bind(1, school_filter);
  std::vector<TokenRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(tokenFromRow(*st));
  }
  return out;
}

Result<std::optional<TokenRow>> SqliteStore::findToken(const std::string& token_id) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db_->prepare(std::string("SELECT ") + kTokenColumns +
                                                " FROM enrollment_tokens WHERE id = ?1"));
  st->bind(1, token_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<TokenRow>();
  return std::optional<TokenRow>(tokenFromRow(*st));
}

Result<TokenRow> SqliteStore::revokeToken(const std::string& token_id, const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st,
                            db_->prepare("UPDATE enrollment_tokens SET revoked = 1 WHERE id = ?1"));
    st->bind(1, token_id);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  if (db_->changes() == 0) return Status(ErrorCode::kNotFound, "token " + token_id + " not found");
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  XIAOAN_ASSIGN_OR_RETURN(auto token, findToken(token_id));
  XIAOAN_RETURN_IF_ERROR(txn.commit());
  return std::move(*token);
}

Result<std::vector<TerminalRow>> SqliteStore::listTerminals(const std::string& school_filter) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db_->prepare("SELECT id, school_id, hostname, macs, ipv4, agent_id, agent_version, "
                   "os_version, enrolled_at, last_checkin, events_stored, policy_version, "
                   "spool_pending, room, signatures_version, last_full_scan FROM terminals "
                   "WHERE ?1 = '' OR school_id = ?1 "
                   "ORDER BY created_at, id"));
  st->bind(1, school_filter);
  std::vector<TerminalRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(terminalFromRow(*st));
  }
  return out;
}

Result<std::vector<StoredEventRow>> SqliteStore::listEvents(const EventQuery& query) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db_->prepare(eventQuerySql(query)));
  if (!query.type.empty()) st->bind(1, query.type);
  if (!query.terminal_id.empty()) st->bind(2, query.terminal_id);
  if (query.since_ms) st->bind(3, *query.since_ms);
  st->bind(4, static_cast<int64_t>(query.limit));
  std::vector<StoredEventRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(storedEventFromRow(*st));
  }
  return out;
}

Result<std::vector<AuditRow>> SqliteStore::listAudit(uint32_t limit) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db_->prepare("SELECT time, admin, action, target, detail FROM "
                                                "admin_audit ORDER BY id DESC LIMIT ?1"));
  st->bind(1, static_cast<int64_t>(limit));
  std::vector<AuditRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back({st->columnInt64(0), st->columnText(1), st->columnText(2), st->columnText(3),
                   st->columnText(4)});
  }
  return out;
}

Result<bool> SqliteStore::exists(const std::string& sql, const std::string& key) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db_->prepare(sql));
  st->bind(1, key);
  return st->step();
}

// A layer needs its school (school and room scopes) or its terminal.
Status SqliteStore::checkLayerTarget(const std::string& scope, const std::string& id) {
  if (scope == kScopeTerminal) {
    XIAOAN_ASSIGN_OR_RETURN(bool found, exists("SELECT 1 FROM terminals WHERE id = ?1", id));
    if (!found) return Status(ErrorCode::kNotFound, "terminal " + id + " not found");
    return Status::ok();
  }
  return checkSchool(scope == kScopeRoom ? id.substr(0, id.find('/')) : id);
}

Status SqliteStore::checkSchool(const std::string& school_id) {
  XIAOAN_ASSIGN_OR_RETURN(bool found, exists("SELECT 1 FROM schools WHERE id = ?1", school_id));
  if (!found) return Status(ErrorCode::kNotFound, "school " + school_id + " not found");
  return Status::ok();
}

Result<std::optional<PolicyLayerRow>> SqliteStore::findPolicyLayer(const std::string& scope,
                                                                   const std::string& id) {
  return readPolicyLayer(*db_, scope, id);
}

Result<PolicyLayerRow> SqliteStore::putPolicyLayer(const PolicyLayerRow& layer,
                                                   const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(checkLayerTarget(layer.scope, layer.id));
  if (layer.scope == kScopeRoom) {  // the layer's room becomes a room (same rule as set-room)
    size_t slash = layer.id.find('/');
    XIAOAN_RETURN_IF_ERROR(insertRoom(*db_, layer.id.substr(0, slash), layer.id.substr(slash + 1),
                                      true, layer.updated_at_ms));
  }
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db_->prepare("INSERT INTO policy_layers(scope, id, policy, revision, updated_at, "
                              "updated_by) VALUES(?1, ?2, ?3, 1, ?4, ?5) "
                              "ON CONFLICT(scope, id) DO UPDATE SET policy = excluded.policy, "
                              "revision = revision + 1, updated_at = excluded.updated_at, "
                              "updated_by = excluded.updated_by"));
    st->bind(1, layer.scope)
        .bind(2, layer.id)
        .bindBlob(3, layer.policy)
        .bind(4, layer.updated_at_ms)
        .bind(5, layer.updated_by);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  XIAOAN_ASSIGN_OR_RETURN(auto stored, readPolicyLayer(*db_, layer.scope, layer.id));
  if (!stored) return Status(ErrorCode::kDatabase, "policy layer vanished after writing it");
  XIAOAN_RETURN_IF_ERROR(txn.commit());
  return std::move(*stored);
}

Status SqliteStore::deletePolicyLayer(const std::string& scope, const std::string& id,
                                      const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st,
                            db_->prepare("DELETE FROM policy_layers WHERE scope = ?1 AND id = ?2"));
    st->bind(1, scope).bind(2, id);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  if (db_->changes() == 0) {
    return Status(ErrorCode::kNotFound, "no " + scope + " policy layer " + id);
  }
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Status SqliteStore::setTerminalRoom(const std::string& terminal_id, const std::string& room,
                                    const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  if (!room.empty()) {
    // Rooms are first-class: a new name becomes a room; one differing from an existing room
    // only by blanks is refused (E_EXISTS).
    XIAOAN_ASSIGN_OR_RETURN(auto school, readTerminalPolicyLayers(*db_, terminal_id));
    if (!school) return Status(ErrorCode::kNotFound, "terminal " + terminal_id + " not found");
    XIAOAN_RETURN_IF_ERROR(insertRoom(*db_, school->school_id, room, true, audit.time_ms));
  }
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st, db_->prepare("UPDATE terminals SET room = ?2 WHERE id = ?1"));
    st->bind(1, terminal_id).bind(2, room);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  if (db_->changes() == 0) {
    return Status(ErrorCode::kNotFound, "terminal " + terminal_id + " not found");
  }
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<std::optional<TerminalPolicyLayers>> SqliteStore::terminalPolicyLayers(
    const std::string& terminal_id) {
  return readTerminalPolicyLayers(*db_, terminal_id);
}

Result<std::optional<IssuedContentRow>> SqliteStore::findIssuedContent(
    const std::string& agent_id) {
  return readIssuedContent(*db_, agent_id);
}

Result<std::vector<RoomRow>> SqliteStore::listRooms(const std::string& school_id) {
  return readRooms(*db_, school_id);
}

Status SqliteStore::addRoom(const std::string& school_id, const std::string& name,
                            const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(checkSchool(school_id));
  XIAOAN_RETURN_IF_ERROR(insertRoom(*db_, school_id, name, false, audit.time_ms));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Status SqliteStore::renameRoom(const std::string& school_id, const std::string& from,
                               const std::string& to, const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(renameRoomRows(*db_, school_id, from, to));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Status SqliteStore::deleteRoom(const std::string& school_id, const std::string& name,
                               const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(deleteRoomRows(*db_, school_id, name));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<RegistryKeys> SqliteStore::registryKeys(const std::string& school_id) {
  XIAOAN_RETURN_IF_ERROR(checkSchool(school_id));
  return readRegistryKeys(*db_, school_id);
}

Status SqliteStore::replaceRegistry(const std::string& school_id,
                                    const std::vector<RegistryEntry>& entries,
                                    const std::vector<std::string>& new_rooms, int64_t now_ms,
                                    const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(checkSchool(school_id));
  for (const auto& room : new_rooms) {
    XIAOAN_RETURN_IF_ERROR(insertRoom(*db_, school_id, room, false, now_ms));
  }
  XIAOAN_RETURN_IF_ERROR(writeRegistry(*db_, school_id, entries, now_ms));
  XIAOAN_RETURN_IF_ERROR(rematchSchool(*db_, school_id, now_ms));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Result<std::vector<RegistryEntryRow>> SqliteStore::listRegistry(const std::string& school_id,
                                                                const std::string& room) {
  XIAOAN_RETURN_IF_ERROR(checkSchool(school_id));
  return readRegistry(*db_, school_id, room);
}

Result<std::vector<ComplianceRow>> SqliteStore::complianceRows(const std::string& school_id,
                                                               const std::string& room) {
  return readComplianceRows(*db_, school_id, room);
}

Result<std::vector<std::string>> SqliteStore::resolveTerminal(const std::string& ref) {
  return resolveTerminalRef(*db_, ref);
}

Result<std::vector<SignatureBundleRow>> SqliteStore::listSignatureBundles(uint32_t limit) {
  return readSignatureBundles(*db_, limit);
}

Result<std::vector<DetectionRow>> SqliteStore::listDetections(const DetectionQuery& query) {
  return readDetections(*db_, query);
}

Result<std::vector<StoredVisit>> SqliteStore::searchVisits(const RecordQuery& query) {
  return readVisits(*db_, query);
}

Result<std::vector<StoredSession>> SqliteStore::listSessions(const RecordQuery& query) {
  return readSessions(*db_, query);
}

Result<std::vector<StoredAlert>> SqliteStore::listAlerts(const RecordQuery& query) {
  return readAlerts(*db_, query);
}

Result<std::vector<RetentionCandidate>> SqliteStore::retentionCandidates(
    RetentionTable table, int64_t before_ms, std::pair<int64_t, int64_t> after, uint32_t limit) {
  return readRetentionCandidates(*db_, table, before_ms, after, limit);
}

Result<RetentionDeletion> SqliteStore::deleteRows(
    RetentionTable table, const std::vector<std::pair<int64_t, int64_t>>& rows) {
  return deleteRetained(*db_, table, rows);
}

Status SqliteStore::recordAudit(const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(*db_));
  XIAOAN_RETURN_IF_ERROR(insertAudit(audit));
  return txn.commit();
}

Status SqliteStore::putAdmin(const AdminRow& admin) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db_->prepare("INSERT INTO admins(name, password_hash, created_at) "
                   "VALUES(?1, ?2, CAST(strftime('%s', 'now') AS INTEGER) * 1000) "
                   "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash"));
  st->bind(1, admin.name).bind(2, admin.password_hash);
  return st->run();
}

Result<std::optional<AdminRow>> SqliteStore::findAdmin(const std::string& name) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db_->prepare("SELECT name, password_hash FROM admins WHERE name = ?1"));
  st->bind(1, name);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<AdminRow>();
  return std::optional<AdminRow>(AdminRow{st->columnText(0), st->columnText(1)});
}

}  // namespace xiaoan::collector
