#include "service/collector/store/sqlite_content.h"

#include <algorithm>

#include "service/collector/store/sqlite_registry.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kLayerColumns = "scope, id, policy, revision, updated_at, updated_by";

PolicyLayerRow layerFromRow(const SqliteStatement& st) {
  PolicyLayerRow r;
  r.scope = st.columnText(0);
  r.id = st.columnText(1);
  r.policy = st.columnBlob(2);
  r.revision = static_cast<uint64_t>(st.columnInt64(3));
  r.updated_at_ms = st.columnInt64(4);
  r.updated_by = st.columnText(5);
  return r;
}

int mergeRank(const std::string& scope) {
  if (scope == kScopeSchool) return 0;
  return scope == kScopeRoom ? 1 : 2;
}

Status readLayersInto(SqliteDb& db, TerminalPolicyLayers& out) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare(std::string("SELECT ") + kLayerColumns +
                          " FROM policy_layers WHERE (scope = 'school' AND id = ?1) OR "
                          "(scope = 'room' AND id = ?2) OR (scope = 'terminal' AND id = ?3)"));
  st->bind(1, out.school_id)
      .bind(2, out.room.empty() ? std::string() : out.school_id + "/" + out.room)
      .bind(3, out.terminal_id);
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.layers.push_back(layerFromRow(*st));
  }
  std::sort(out.layers.begin(), out.layers.end(),
            [](const auto& a, const auto& b) { return mergeRank(a.scope) < mergeRank(b.scope); });
  return Status::ok();
}

}  // namespace

Result<std::optional<PolicyLayerRow>> readPolicyLayer(SqliteDb& db, const std::string& scope,
                                                      const std::string& id) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kLayerColumns +
                                              " FROM policy_layers WHERE scope = ?1 AND id = ?2"));
  st->bind(1, scope).bind(2, id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<PolicyLayerRow>();
  return std::optional<PolicyLayerRow>(layerFromRow(*st));
}

Result<std::optional<TerminalPolicyLayers>> readTerminalPolicyLayers(
    SqliteDb& db, const std::string& terminal_id) {
  TerminalPolicyLayers out;
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db.prepare("SELECT school_id, room, agent_id FROM terminals WHERE id = ?1"));
    st->bind(1, terminal_id);
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) return std::optional<TerminalPolicyLayers>();
    out.terminal_id = terminal_id;
    out.school_id = st->columnText(0);
    out.room = st->columnText(1);
    out.agent_id = st->columnText(2);
  }
  XIAOAN_RETURN_IF_ERROR(readLayersInto(db, out));
  XIAOAN_RETURN_IF_ERROR(readTerminalRegistry(db, out));
  return std::optional<TerminalPolicyLayers>(std::move(out));
}

Result<std::optional<IssuedContentRow>> readIssuedContent(SqliteDb& db,
                                                          const std::string& agent_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT policy_version, policy_hash, policy_document, targets_version, "
                          "targets_envelope, targets_expires, timestamp_version, "
                          "timestamp_envelope, timestamp_expires, updated_at, signatures_version "
                          "FROM issued_content WHERE agent_id = ?1"));
  st->bind(1, agent_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<IssuedContentRow>();
  IssuedContentRow r;
  r.agent_id = agent_id;
  r.policy_version = static_cast<uint64_t>(st->columnInt64(0));
  r.policy_hash = st->columnBlob(1);
  r.policy_document = st->columnBlob(2);
  r.targets_version = static_cast<uint64_t>(st->columnInt64(3));
  r.targets_envelope = st->columnBlob(4);
  r.targets_expires_ms = st->columnInt64(5);
  r.timestamp_version = static_cast<uint64_t>(st->columnInt64(6));
  r.timestamp_envelope = st->columnBlob(7);
  r.timestamp_expires_ms = st->columnInt64(8);
  r.updated_at_ms = st->columnInt64(9);
  r.signatures_version = static_cast<uint64_t>(st->columnInt64(10));
  return std::optional<IssuedContentRow>(std::move(r));
}

Status writeIssuedContent(SqliteDb& db, const IssuedContentRow& r) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("INSERT OR REPLACE INTO issued_content(agent_id, policy_version, "
                          "policy_hash, policy_document, targets_version, targets_envelope, "
                          "targets_expires, timestamp_version, timestamp_envelope, "
                          "timestamp_expires, updated_at, signatures_version) "
                          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  st->bind(1, r.agent_id)
      .bind(2, static_cast<int64_t>(r.policy_version))
      .bindBlob(3, r.policy_hash)
      .bindBlob(4, r.policy_document)
      .bind(5, static_cast<int64_t>(r.targets_version))
      .bindBlob(6, r.targets_envelope)
      .bind(7, r.targets_expires_ms)
      .bind(8, static_cast<int64_t>(r.timestamp_version))
      .bindBlob(9, r.timestamp_envelope)
      .bind(10, r.timestamp_expires_ms)
      .bind(11, r.updated_at_ms)
      .bind(12, static_cast<int64_t>(r.signatures_version));
  return st->run();
}

Result<uint64_t> takeContentVersion(SqliteDb& db) { return takeCounter(db, "content_version"); }

Result<uint64_t> takeCounter(SqliteDb& db, const std::string& name) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("UPDATE counters SET value = value + 1 WHERE name = ?1 RETURNING value"));
  st->bind(1, name);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return Status(ErrorCode::kDatabase, "counter " + name + " missing");
  auto value = static_cast<uint64_t>(st->columnInt64(0));
  XIAOAN_ASSIGN_OR_RETURN(bool more, st->step());  // finish the statement
  (void)more;
  return value;
}

Status writeAudit(SqliteDb& db, const AuditRow& audit) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare("INSERT INTO admin_audit(time, admin, action, "
                                              "target, detail) VALUES(?1, ?2, ?3, ?4, ?5)"));
  st->bind(1, audit.time_ms)
      .bind(2, audit.admin)
      .bind(3, audit.action)
      .bind(4, audit.target)
      .bind(5, audit.detail_json);
  return st->run();
}

}  // namespace xiaoan::collector
