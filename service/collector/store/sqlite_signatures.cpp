#include "service/collector/store/sqlite_signatures.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kBundleColumns =
    "version, sha256, size, rule_count, file_count, published_at, published_by, description, "
    "warnings";
// The same columns with an empty warnings blob in the last place.
constexpr const char* kBundleColumnsNoWarnings =
    "version, sha256, size, rule_count, file_count, published_at, published_by, description, "
    "x''";

SignatureBundleRow bundleFromRow(const SqliteStatement& st) {
  SignatureBundleRow r;
  r.version = static_cast<uint64_t>(st.columnInt64(0));
  r.sha256_hex = st.columnText(1);
  r.size = static_cast<uint64_t>(st.columnInt64(2));
  r.rule_count = static_cast<uint32_t>(st.columnInt64(3));
  r.file_count = static_cast<uint32_t>(st.columnInt64(4));
  r.published_at_ms = st.columnInt64(5);
  r.published_by = st.columnText(6);
  r.description = st.columnText(7);
  r.warnings = st.columnBlob(8);
  return r;
}

// Walks events_type(type, id) backwards; the text depends only on which filters are set, so
// each variant is prepared once.
std::string detectionSql(const DetectionQuery& q) {
  std::string sql = std::string("SELECT ") + kStoredEventColumns +
                    ", coalesce(t.hostname, '') FROM events e "
                    "LEFT JOIN agents a ON a.id = e.agent_id "
                    "LEFT JOIN terminals t ON t.id = a.terminal_id WHERE e.type = 'detection'";
  if (!q.school_id.empty()) sql += " AND a.school_id = ?1";
  if (q.since_ms) sql += " AND e.wall_time >= ?2";
  sql += " ORDER BY e.id DESC LIMIT ?3";
  return sql;
}

}  // namespace

const char* const kStoredEventColumns =
    "e.id, e.agent_id, coalesce(a.terminal_id, ''), coalesce(a.school_id, ''), e.stream, "
    "e.epoch, e.seq, e.type, e.wall_time, e.received_at, e.body, coalesce(e.payload_json, '')";

StoredEventRow storedEventFromRow(const SqliteStatement& st) {
  StoredEventRow e;
  e.id = st.columnInt64(0);
  e.agent_id = st.columnText(1);
  e.terminal_id = st.columnText(2);
  e.school_id = st.columnText(3);
  e.stream = st.columnText(4);
  e.epoch = static_cast<uint64_t>(st.columnInt64(5));
  if (auto seq = st.columnOptionalInt64(6)) e.seq = static_cast<uint64_t>(*seq);
  e.type = st.columnText(7);
  e.wall_time_ms = st.columnInt64(8);
  e.received_at_ms = st.columnInt64(9);
  e.body = st.columnBlob(10);
  e.payload_json = st.columnText(11);
  return e;
}

Status writeSignatureBundle(SqliteDb& db, const SignatureBundleRow& r, std::string_view data) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st, db.prepare(std::string("INSERT OR IGNORE INTO signature_bundles(") + kBundleColumns +
                          ", data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  st->bind(1, static_cast<int64_t>(r.version))
      .bind(2, r.sha256_hex)
      .bind(3, static_cast<int64_t>(r.size))
      .bind(4, static_cast<int64_t>(r.rule_count))
      .bind(5, static_cast<int64_t>(r.file_count))
      .bind(6, r.published_at_ms)
      .bind(7, r.published_by)
      .bind(8, r.description)
      .bindBlob(9, r.warnings)
      .bindBlob(10, data);
  XIAOAN_RETURN_IF_ERROR(st->run());
  if (db.changes() == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "signature bundle version " + std::to_string(r.version) + " exists");
  }
  // Agents are only ever offered the latest bundle: older ones keep their row (the listing,
  // the audit trail), not their up to 64 MiB of data.
  XIAOAN_ASSIGN_OR_RETURN(auto drop,
                          db.prepare("UPDATE signature_bundles SET data = x'' WHERE version < ?1"));
  drop->bind(1, static_cast<int64_t>(r.version));
  return drop->run();
}

// Read at every check-in: without the warnings, which only the admin's listing shows.
Result<std::optional<SignatureBundleRow>> readLatestSignatureBundle(SqliteDb& db) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kBundleColumnsNoWarnings +
                                              " FROM signature_bundles ORDER BY version DESC "
                                              "LIMIT 1"));
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return std::optional<SignatureBundleRow>();
  return std::optional<SignatureBundleRow>(bundleFromRow(*st));
}

Result<std::string> readSignatureBundleData(SqliteDb& db, uint64_t version) {
  XIAOAN_ASSIGN_OR_RETURN(auto st,
                          db.prepare("SELECT data FROM signature_bundles WHERE version = ?1"));
  st->bind(1, static_cast<int64_t>(version));
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  std::string data = row ? st->columnBlob(0) : std::string();
  if (data.empty()) {
    return Status(ErrorCode::kNotFound, "no signature bundle " + std::to_string(version) +
                                            " (only the latest one is kept)");
  }
  return data;
}

Result<std::vector<SignatureBundleRow>> readSignatureBundles(SqliteDb& db, uint32_t limit) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(std::string("SELECT ") + kBundleColumns +
                                              " FROM signature_bundles ORDER BY version DESC "
                                              "LIMIT ?1"));
  st->bind(1, static_cast<int64_t>(limit));
  std::vector<SignatureBundleRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(bundleFromRow(*st));
  }
  return out;
}

Result<std::vector<DetectionRow>> readDetections(SqliteDb& db, const DetectionQuery& query) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(detectionSql(query)));
  if (!query.school_id.empty()) st->bind(1, query.school_id);
  if (query.since_ms) st->bind(2, *query.since_ms);
  st->bind(3, static_cast<int64_t>(query.limit));
  std::vector<DetectionRow> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back({storedEventFromRow(*st), st->columnText(12)});
  }
  return out;
}

}  // namespace xiaoan::collector
