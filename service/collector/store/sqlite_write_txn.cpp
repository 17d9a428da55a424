#include "service/collector/store/sqlite_write_txn.h"

#include "service/collector/store/sqlite_registry.h"

#include "service/collector/store/sqlite_content.h"
#include "service/collector/store/sqlite_records.h"
#include "service/collector/store/sqlite_reenroll.h"
#include "service/collector/store/sqlite_signatures.h"
#include "service/collector/trust/crypto_util.h"

namespace xiaoan::collector {
namespace {

// Acks returned per agent or terminal are capped: a terminal re-imaged every day for years
// must not produce an unbounded answer.
constexpr int64_t kMaxHeads = 100;

Status unauthorized(const std::string& why) {
  return Status(ErrorCode::kUnauthorized, "enrollment token rejected: " + why);
}

Result<std::vector<AckRow>> readHeads(SqliteStatement& st) {
  std::vector<AckRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    out.push_back({st.columnText(0), static_cast<uint64_t>(st.columnInt64(1)),
                   static_cast<uint64_t>(st.columnInt64(2))});
  }
  return out;
}

}  // namespace

SqliteWriteTxn::~SqliteWriteTxn() {
  if (!done_) (void)db_.exec("ROLLBACK");
}

Status SqliteWriteTxn::savepoint() { return db_.exec("SAVEPOINT job"); }
Status SqliteWriteTxn::releaseSavepoint() { return db_.exec("RELEASE job"); }
Status SqliteWriteTxn::rollbackToSavepoint() {
  XIAOAN_RETURN_IF_ERROR(db_.exec("ROLLBACK TO job"));
  return db_.exec("RELEASE job");
}

Status SqliteWriteTxn::commit() {
  done_ = true;
  Status st = db_.exec("COMMIT");
  if (!st.isOk()) (void)db_.exec("ROLLBACK");
  return st;
}

Result<std::optional<AgentRow>> SqliteWriteTxn::findAgent(const std::string& agent_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("SELECT id, terminal_id, school_id FROM agents WHERE id = ?1"));
  st->bind(1, agent_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<AgentRow>();
  return std::optional<AgentRow>(AgentRow{st->columnText(0), st->columnText(1), st->columnText(2)});
}

Result<bool> SqliteWriteTxn::insertEvent(const std::string& agent_id, const EventRow& event,
                                         int64_t received_at_ms) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT OR IGNORE INTO events(agent_id, stream, epoch, seq, type, "
                           "priority, wall_time, received_at, body, payload_json) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  st->bind(1, agent_id)
      .bind(2, event.stream)
      .bind(3, static_cast<int64_t>(event.epoch))
      .bind(4, static_cast<int64_t>(event.seq))
      .bind(5, event.type)
      .bind(6, static_cast<int64_t>(event.priority))
      .bind(7, event.wall_time_ms)
      .bind(8, received_at_ms)
      .bindBlob(9, event.body)
      .bind(10, event.payload_json);
  XIAOAN_RETURN_IF_ERROR(st->run());
  return db_.changes() > 0;
}

Status SqliteWriteTxn::advanceHead(const std::string& agent_id, const AckRow& head,
                                   int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT INTO stream_heads(agent_id, stream, epoch, max_seq, updated_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(agent_id, stream, epoch) DO "
                           "UPDATE SET max_seq = max(max_seq, excluded.max_seq), "
                           "updated_at = excluded.updated_at"));
  st->bind(1, agent_id)
      .bind(2, head.stream)
      .bind(3, static_cast<int64_t>(head.epoch))
      .bind(4, static_cast<int64_t>(head.seq))
      .bind(5, now_ms);
  return st->run();
}

Status SqliteWriteTxn::insertCollectorEvent(const std::string& agent_id, const std::string& type,
                                            const std::string& payload_json, int64_t now_ms) {
  // stream "collector", no seq: never collides with the agent's (stream, epoch, seq) keys.
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT INTO events(agent_id, stream, epoch, seq, type, priority, "
                           "wall_time, received_at, payload_json) "
                           "VALUES(?1, 'collector', 0, NULL, ?2, 1, ?3, ?3, ?4)"));
  st->bind(1, agent_id).bind(2, type).bind(3, now_ms).bind(4, payload_json);
  return st->run();
}

Status SqliteWriteTxn::addTerminalEvents(const std::string& terminal_id, uint64_t count) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db_.prepare("UPDATE terminals SET events_stored = events_stored + ?2 WHERE id = ?1"));
  st->bind(1, terminal_id).bind(2, static_cast<int64_t>(count));
  return st->run();
}

Result<AgentRow> SqliteWriteTxn::recordCheckin(const CheckinUpdate& u) {
  XIAOAN_ASSIGN_OR_RETURN(auto agent, findAgent(u.agent_id));
  if (!agent) return Status(ErrorCode::kUnauthorized, "unknown agent " + u.agent_id);
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st,
                            db_.prepare("UPDATE terminals SET hostname = ?2, macs = ?3, ipv4 = ?4, "
                                        "os_version = ?5, agent_version = ?6, policy_version = ?7, "
                                        "spool_pending = ?8, last_checkin = ?9, "
                                        "signatures_version = ?10, last_full_scan = ?11 "
                                        "WHERE id = ?1"));
    st->bind(1, agent->terminal_id)
        .bind(2, u.hostname)
        .bind(3, joinList(u.macs))
        .bind(4, joinList(u.ipv4))
        .bind(5, u.os_version)
        .bind(6, u.agent_version)
        .bind(7, static_cast<int64_t>(u.policy_version))
        .bind(8, static_cast<int64_t>(u.spool_pending))
        .bind(9, u.now_ms)
        .bind(10, static_cast<int64_t>(u.signatures_version))
        .bind(11, u.last_full_scan_ms);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  XIAOAN_RETURN_IF_ERROR(rememberMacs(agent->school_id, agent->terminal_id, u.macs));
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st,
                            db_.prepare("UPDATE terminals SET permanent_macs = ?2 WHERE id = ?1"));
    st->bind(1, agent->terminal_id).bind(2, joinList(u.permanent_macs));
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  if (u.compliance) {
    XIAOAN_RETURN_IF_ERROR(writeCompliance(db_, agent->terminal_id, *u.compliance, u.now_ms));
  }
  XIAOAN_RETURN_IF_ERROR(
      matchTerminal(db_, agent->terminal_id, agent->school_id, u.permanent_macs, u.macs, u.now_ms));
  return std::move(*agent);
}

Result<std::vector<AckRow>> SqliteWriteTxn::agentHeads(const std::string& agent_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("SELECT stream, epoch, max_seq FROM stream_heads WHERE agent_id = ?1 "
                           "ORDER BY updated_at DESC LIMIT ?2"));
  st->bind(1, agent_id).bind(2, kMaxHeads);
  return readHeads(*st);
}

Result<std::vector<AckRow>> SqliteWriteTxn::terminalHeads(const std::string& terminal_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("SELECT h.stream, h.epoch, max(h.max_seq) FROM stream_heads h "
                           "JOIN agents a ON a.id = h.agent_id WHERE a.terminal_id = ?1 "
                           "GROUP BY h.stream, h.epoch ORDER BY max(h.updated_at) DESC LIMIT ?2"));
  st->bind(1, terminal_id).bind(2, kMaxHeads);
  return readHeads(*st);
}

Status SqliteWriteTxn::checkToken(const EnrollParams& p, std::string& school_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("SELECT secret_sha256, school_id, expires_at, max_uses, uses, revoked "
                           "FROM enrollment_tokens WHERE id = ?1"));
  st->bind(1, p.token_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return unauthorized("unknown token");
  // The reason is only revealed to someone who holds the secret.
  if (!constantTimeEquals(st->columnText(0), p.token_secret_sha256_hex)) {
    return unauthorized("unknown token");
  }
  if (st->columnInt64(5) != 0) return unauthorized("token revoked");
  auto expires = st->columnOptionalInt64(2);
  if (expires && p.now_ms >= *expires) return unauthorized("token expired");
  int64_t max_uses = st->columnInt64(3);
  if (max_uses > 0 && st->columnInt64(4) >= max_uses) return unauthorized("token used up");
  school_id = st->columnText(1);
  return Status::ok();
}

Result<std::optional<std::string>> SqliteWriteTxn::terminalByMac(
    const std::string& school_id, const std::vector<std::string>& macs) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db_.prepare("SELECT terminal_id FROM terminal_macs WHERE school_id = ?1 AND mac = ?2"));
  for (const auto& mac : macs) {
    st->reset();
    st->bind(1, school_id).bind(2, mac);
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (row) return std::optional<std::string>(st->columnText(0));
  }
  return std::optional<std::string>();
}

Status SqliteWriteTxn::rememberMacs(const std::string& school_id, const std::string& terminal_id,
                                    const std::vector<std::string>& macs) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT OR IGNORE INTO terminal_macs(school_id, mac, terminal_id) "
                           "VALUES(?1, ?2, ?3)"));
  for (const auto& mac : macs) {
    st->reset();
    st->bind(1, school_id).bind(2, mac).bind(3, terminal_id);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  return Status::ok();
}

Status SqliteWriteTxn::linkTerminal(const EnrollParams& p, EnrollOutcome& out) {
  XIAOAN_ASSIGN_OR_RETURN(auto existing, terminalByMac(out.school_id, p.macs));
  if (existing) {
    out.terminal_id = *existing;
    // A MAC is no proof of being the PC (issue 10): the school's policy decides.
    XIAOAN_ASSIGN_OR_RETURN(out.reenrollment,
                            decideReenrollment(db_, out.school_id, out.terminal_id, p));
    if (out.reenrollment->held) return Status::ok();
    XIAOAN_ASSIGN_OR_RETURN(out.earlier_acks, terminalHeads(out.terminal_id));
  } else {
    XIAOAN_ASSIGN_OR_RETURN(out.terminal_id, randomHexId(16));
    out.new_terminal = true;
  }
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT INTO terminals(id, school_id, hostname, macs, ipv4, os_version, "
                           "agent_id, agent_version, enrolled_at, created_at, permanent_macs) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10) ON CONFLICT(id) DO "
                           "UPDATE SET hostname = excluded.hostname, macs = excluded.macs, "
                           "permanent_macs = excluded.permanent_macs, "
                           "ipv4 = excluded.ipv4, os_version = excluded.os_version, "
                           "agent_id = excluded.agent_id, agent_version = excluded.agent_version, "
                           "enrolled_at = excluded.enrolled_at"));
  st->bind(1, out.terminal_id)
      .bind(2, out.school_id)
      .bind(3, p.hostname)
      .bind(4, joinList(p.macs))
      .bind(5, joinList(p.ipv4))
      .bind(6, p.os_version)
      .bind(7, p.agent_id)
      .bind(8, p.agent_version)
      .bind(9, p.now_ms)
      .bind(10, joinList(p.permanent_macs));
  XIAOAN_RETURN_IF_ERROR(st->run());
  XIAOAN_RETURN_IF_ERROR(rememberMacs(out.school_id, out.terminal_id, p.macs));
  return matchTerminal(db_, out.terminal_id, out.school_id, p.permanent_macs, p.macs, p.now_ms);
}

Result<EnrollOutcome> SqliteWriteTxn::enroll(const EnrollParams& p) {
  EnrollOutcome out;
  XIAOAN_RETURN_IF_ERROR(checkToken(p, out.school_id));
  XIAOAN_RETURN_IF_ERROR(linkTerminal(p, out));
  if (out.reenrollment && out.reenrollment->held) return out;  // no use of the token yet
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db_.prepare("UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ?1"));
    st->bind(1, p.token_id);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db_.prepare("INSERT INTO agents(id, terminal_id, school_id, token_id, cert_serial, "
                           "smbios_uuid, machine_id, enrolled_at, key_sha256) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  st->bind(1, p.agent_id)
      .bind(2, out.terminal_id)
      .bind(3, out.school_id)
      .bind(4, p.token_id)
      .bind(5, p.cert_serial_hex)
      .bind(6, p.smbios_uuid)
      .bind(7, p.machine_id)
      .bind(8, p.now_ms)
      .bind(9, p.key_sha256_hex);
  XIAOAN_RETURN_IF_ERROR(st->run());
  return out;
}

Result<std::optional<TerminalPolicyLayers>> SqliteWriteTxn::terminalPolicyLayers(
    const std::string& terminal_id) {
  return readTerminalPolicyLayers(db_, terminal_id);
}

Result<std::optional<IssuedContentRow>> SqliteWriteTxn::findIssuedContent(
    const std::string& agent_id) {
  return readIssuedContent(db_, agent_id);
}

Status SqliteWriteTxn::putIssuedContent(const IssuedContentRow& row) {
  return writeIssuedContent(db_, row);
}

Result<uint64_t> SqliteWriteTxn::nextContentVersion() { return takeContentVersion(db_); }

Status SqliteWriteTxn::recordAudit(const AuditRow& audit) { return writeAudit(db_, audit); }

Result<uint64_t> SqliteWriteTxn::nextSignaturesVersion() {
  return takeCounter(db_, "signatures_version");
}

Status SqliteWriteTxn::insertSignatureBundle(const SignatureBundleRow& row, std::string_view data) {
  return writeSignatureBundle(db_, row, data);
}

Result<std::optional<SignatureBundleRow>> SqliteWriteTxn::latestSignatureBundle() {
  return readLatestSignatureBundle(db_);
}

Result<std::string> SqliteWriteTxn::signatureBundleData(uint64_t version) {
  return readSignatureBundleData(db_, version);
}

Result<TerminalPlace> SqliteWriteTxn::terminalPlace(const AgentRow& agent) {
  return readTerminalPlace(db_, agent);
}

Result<uint64_t> SqliteWriteTxn::insertVisits(const TerminalPlace& place,
                                              const std::vector<VisitRow>& visits, int64_t now_ms) {
  return storeVisits(db_, place, visits, now_ms);
}

Status SqliteWriteTxn::upsertSession(const TerminalPlace& place, const SessionRow& session,
                                     int64_t now_ms) {
  return storeSession(db_, place, session, now_ms);
}

Result<bool> SqliteWriteTxn::insertAlert(const TerminalPlace& place, const AlertRow& alert,
                                         int64_t now_ms) {
  return storeAlert(db_, place, alert, now_ms);
}

}  // namespace xiaoan::collector
