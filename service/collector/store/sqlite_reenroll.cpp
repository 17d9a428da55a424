#include "service/collector/store/sqlite_reenroll.h"

#include <algorithm>

#include "service/collector/trust/crypto_util.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kPendingColumns =
    "id, school_id, terminal_id, key_sha256, hostname, macs, mismatched, first_seen, last_seen, "
    "attempts, approved";

PendingEnrollmentRow pendingFromRow(const SqliteStatement& st) {
  PendingEnrollmentRow r;
  r.id = st.columnText(0);
  r.school_id = st.columnText(1);
  r.terminal_id = st.columnText(2);
  r.key_sha256_hex = st.columnText(3);
  r.hostname = st.columnText(4);
  r.macs = splitList(st.columnText(5));
  r.mismatched = splitList(st.columnText(6));
  r.first_seen_ms = st.columnInt64(7);
  r.last_seen_ms = st.columnInt64(8);
  r.attempts = static_cast<uint32_t>(st.columnInt64(9));
  r.approved = st.columnInt64(10) != 0;
  return r;
}

Result<ReenrollPolicy> schoolPolicy(SqliteDb& db, const std::string& school_id) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT reenroll_policy FROM schools WHERE id = ?1"));
  st->bind(1, school_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  const int64_t v = row ? st->columnInt64(0) : 0;
  return v == static_cast<int64_t>(ReenrollPolicy::kApprove) ? ReenrollPolicy::kApprove
                                                             : ReenrollPolicy::kAuto;
}

// The terminal's current instance and how `p` differs from it.
Status compareWithCurrent(SqliteDb& db, const std::string& terminal_id, const EnrollParams& p,
                          Reenrollment& r) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare("SELECT a.id, a.key_sha256, a.smbios_uuid, a.machine_id FROM terminals t "
                          "JOIN agents a ON a.id = t.agent_id WHERE t.id = ?1"));
  st->bind(1, terminal_id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) {
    r.mismatched = mismatchedFacts(p, "", "", "");
    return Status::ok();
  }
  r.previous_agent_id = st->columnText(0);
  r.mismatched = mismatchedFacts(p, st->columnText(1), st->columnText(2), st->columnText(3));
  return Status::ok();
}

Status trimPending(SqliteDb& db, const std::string& terminal_id) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db.prepare("DELETE FROM pending_enrollments WHERE id IN (SELECT id FROM "
                                     "pending_enrollments WHERE terminal_id = ?1 AND approved = 0 "
                                     "ORDER BY last_seen DESC LIMIT -1 OFFSET ?2)"));
  st->bind(1, terminal_id).bind(2, kMaxPendingPerTerminal - 1);
  return st->run();
}

Status insertPending(SqliteDb& db, const std::string& school_id, const std::string& terminal_id,
                     const EnrollParams& p, Reenrollment& r) {
  XIAOAN_RETURN_IF_ERROR(trimPending(db, terminal_id));
  XIAOAN_ASSIGN_OR_RETURN(r.pending_id, randomHexId(8));
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare(std::string("INSERT INTO pending_enrollments(") + kPendingColumns +
                          ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 1, 0)"));
  st->bind(1, r.pending_id)
      .bind(2, school_id)
      .bind(3, terminal_id)
      .bind(4, p.key_sha256_hex)
      .bind(5, p.hostname)
      .bind(6, joinList(p.macs))
      .bind(7, joinList(r.mismatched))
      .bind(8, p.now_ms);
  r.new_hold = true;
  return st->run();
}

// kApprove for an instance without the current key: approved -> linked, else held.
Status applyApproval(SqliteDb& db, const std::string& school_id, const std::string& terminal_id,
                     const EnrollParams& p, Reenrollment& r) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare("SELECT id, approved FROM pending_enrollments "
                                              "WHERE terminal_id = ?1 AND key_sha256 = ?2"));
  st->bind(1, terminal_id).bind(2, p.key_sha256_hex);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) {
    r.held = true;
    return insertPending(db, school_id, terminal_id, p, r);
  }
  r.pending_id = st->columnText(0);
  r.approved = st->columnInt64(1) != 0;
  r.held = !r.approved;
  XIAOAN_ASSIGN_OR_RETURN(
      auto upd, db.prepare(r.approved ? "DELETE FROM pending_enrollments WHERE id = ?1"
                                      : "UPDATE pending_enrollments SET last_seen = ?2, "
                                        "attempts = attempts + 1, hostname = ?3 WHERE id = ?1"));
  upd->bind(1, r.pending_id);
  if (!r.approved) upd->bind(2, p.now_ms).bind(3, p.hostname);
  return upd->run();
}

}  // namespace

std::vector<std::string> mismatchedFacts(const EnrollParams& p, const std::string& key_sha256,
                                         const std::string& smbios_uuid,
                                         const std::string& machine_id) {
  std::vector<std::string> out;
  if (p.key_sha256_hex != key_sha256) out.push_back("key");
  if (p.smbios_uuid != smbios_uuid) out.push_back("smbios_uuid");
  if (p.machine_id != machine_id) out.push_back("machine_id");
  return out;
}

Result<Reenrollment> decideReenrollment(SqliteDb& db, const std::string& school_id,
                                        const std::string& terminal_id, const EnrollParams& p) {
  Reenrollment r;
  XIAOAN_ASSIGN_OR_RETURN(r.policy, schoolPolicy(db, school_id));
  XIAOAN_RETURN_IF_ERROR(compareWithCurrent(db, terminal_id, p, r));
  const bool same_key =
      std::find(r.mismatched.begin(), r.mismatched.end(), "key") == r.mismatched.end();
  if (r.policy == ReenrollPolicy::kAuto || same_key) return r;
  XIAOAN_RETURN_IF_ERROR(applyApproval(db, school_id, terminal_id, p, r));
  return r;
}

Status writeReenrollPolicy(SqliteDb& db, const std::string& school_id, ReenrollPolicy policy) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db.prepare("UPDATE schools SET reenroll_policy = ?2 WHERE id = ?1"));
  st->bind(1, school_id).bind(2, static_cast<int64_t>(policy));
  XIAOAN_RETURN_IF_ERROR(st->run());
  if (db.changes() == 0) return Status(ErrorCode::kNotFound, "school " + school_id + " not found");
  return Status::ok();
}

Result<std::vector<PendingEnrollmentRow>> readPendingEnrollments(SqliteDb& db,
                                                                 const std::string& school_filter) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db.prepare(std::string("SELECT ") + kPendingColumns +
                                     " FROM pending_enrollments WHERE ?1 = '' OR school_id = ?1 "
                                     "ORDER BY first_seen, id LIMIT 1000"));
  st->bind(1, school_filter);
  std::vector<PendingEnrollmentRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(pendingFromRow(*st));
  }
  return out;
}

Result<PendingEnrollmentRow> markPendingApproved(SqliteDb& db, const std::string& id) {
  {
    XIAOAN_ASSIGN_OR_RETURN(
        auto st, db.prepare("UPDATE pending_enrollments SET approved = 1 WHERE id = ?1"));
    st->bind(1, id);
    XIAOAN_RETURN_IF_ERROR(st->run());
  }
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kPendingColumns +
                                              " FROM pending_enrollments WHERE id = ?1"));
  st->bind(1, id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return Status(ErrorCode::kNotFound, "no pending enrollment " + id);
  return pendingFromRow(*st);
}

}  // namespace xiaoan::collector
