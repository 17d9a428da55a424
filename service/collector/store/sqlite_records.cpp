#include "service/collector/store/sqlite_records.h"

#include <variant>

#include "platform/clock.h"

namespace xiaoan::collector {
namespace {

// A WHERE clause built from the filters that are set, with its anonymous parameters in order.
class Where {
 public:
  void add(const std::string& condition) {
    sql_ += (sql_.empty() ? " WHERE " : " AND ") + condition;
  }
  void add(const std::string& condition, std::variant<int64_t, std::string> value) {
    add(condition);
    binds_.push_back(std::move(value));
  }
  void bind(std::variant<int64_t, std::string> value) { binds_.push_back(std::move(value)); }
  const std::string& sql() const { return sql_; }
  void bindAll(SqliteStatement& st) const {
    for (size_t i = 0; i < binds_.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (const auto* n = std::get_if<int64_t>(&binds_[i])) {
        st.bind(index, *n);
      } else {
        st.bind(index, std::get<std::string>(binds_[i]));
      }
    }
  }

 private:
  std::string sql_;
  std::vector<std::variant<int64_t, std::string>> binds_;
};

// LIKE pattern "%text%" with the LIKE wildcards of `text` escaped by '\'.
std::string containsPattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// The filters of a query over a table aliased `r` whose record time is `time_col`.
Where recordFilters(const RecordQuery& q, const std::string& time_col, bool has_url) {
  Where w;
  if (!q.school_id.empty()) w.add("r.school_id = ?", q.school_id);
  if (!q.room.empty()) w.add("r.room = ?", q.room);
  if (!q.terminal_id.empty()) w.add("r.terminal_id = ?", q.terminal_id);
  if (!q.user.empty()) w.add("r.user_name = ?", q.user);
  if (has_url && !q.domain.empty()) {
    std::string low = reversedDomain(q.domain);
    std::string high = low;
    high.back() = '/';  // the character after '.'
    w.add("r.rdomain >= ?", low);
    w.add("r.rdomain < ?", high);
  }
  if (has_url && !q.keyword.empty()) {
    std::string pattern = containsPattern(q.keyword);
    w.add("(r.url LIKE ? ESCAPE '\\' OR r.title LIKE ? ESCAPE '\\')", pattern);
    w.bind(pattern);
  }
  if (q.category != 0) w.add("r.category = ?", int64_t{q.category});
  if (q.since_ms) w.add("r." + time_col + " >= ?", *q.since_ms);
  if (q.until_ms) w.add("r." + time_col + " < ?", *q.until_ms);
  if (q.after) {
    w.add("(r." + time_col + ", r.id) < (?, ?)", q.after->first);
    w.bind(q.after->second);
  }
  return w;
}

// The columns every record search starts with (StoredPlace), then the table's own.
constexpr const char* kPlaceColumns =
    "r.id, r.terminal_id, r.school_id, r.room, r.seat, coalesce(t.hostname, ''), r.received_at";
constexpr int kPlaceColumnCount = 7;

StoredPlace placeFrom(const SqliteStatement& st) {
  StoredPlace p;
  p.id = st.columnInt64(0);
  p.place.terminal_id = st.columnText(1);
  p.place.school_id = st.columnText(2);
  p.place.room = st.columnText(3);
  p.place.seat = static_cast<uint32_t>(st.columnInt64(4));
  p.hostname = st.columnText(5);
  p.received_at_ms = st.columnInt64(6);
  return p;
}

// Runs "SELECT <place>, <columns> FROM <table> r LEFT JOIN terminals t ... <filters> ORDER BY
// time DESC, id DESC LIMIT n" and converts every row with `from`.
// `hint` is an INDEXED BY clause or "": SQLite would otherwise walk a domain range through the
// time index (that saves the sort) and read every visit of the time range.
template <typename Row, typename From>
Result<std::vector<Row>> search(SqliteDb& db, const RecordQuery& q, const std::string& table,
                                const std::string& hint, const std::string& columns,
                                const std::string& time_col, bool has_url, From from) {
  Where w = recordFilters(q, time_col, has_url);
  std::string sql = std::string("SELECT ") + kPlaceColumns + ", " + columns + " FROM " + table +
                    " r" + hint + " LEFT JOIN terminals t ON t.id = r.terminal_id" + w.sql() +
                    " ORDER BY r." + time_col + " DESC, r.id DESC LIMIT " + std::to_string(q.limit);
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(sql));
  w.bindAll(*st);
  std::vector<Row> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back(Row{placeFrom(*st), from(*st, kPlaceColumnCount)});
  }
  return out;
}

constexpr const char* kVisitColumns =
    "r.key, r.user_name, r.browser, r.profile, r.url, r.domain, r.title, r.visit_time";

VisitRow visitFrom(const SqliteStatement& st, int c) {
  VisitRow v;
  v.key = st.columnText(c);
  v.user = st.columnText(c + 1);
  v.browser = static_cast<int>(st.columnInt64(c + 2));
  v.profile = st.columnText(c + 3);
  v.url = st.columnText(c + 4);
  v.domain = st.columnText(c + 5);
  v.title = st.columnText(c + 6);
  v.visit_time_ms = st.columnInt64(c + 7);
  return v;
}

// Parameters 1..5 of every record insert: terminal, key, school, room, seat.
void bindPlace(SqliteStatement& st, const TerminalPlace& place, const std::string& key) {
  st.bind(1, place.terminal_id)
      .bind(2, key)
      .bind(3, place.school_id)
      .bind(4, place.room)
      .bind(5, int64_t{place.seat});
}

// A visit's user, browser, profile, url, domain, rdomain, title, visit_time from `first` on.
void bindVisit(SqliteStatement& st, int first, const VisitRow& v) {
  st.bind(first, v.user)
      .bind(first + 1, int64_t{v.browser})
      .bind(first + 2, v.profile)
      .bind(first + 3, v.url)
      .bind(first + 4, v.domain)
      .bind(first + 5, reversedDomain(v.domain))
      .bind(first + 6, v.title)
      .bind(first + 7, v.visit_time_ms);
}

// The SQL of one retention table: the scan (record time < ?1, after (?2, ?3), limit ?4) and
// the delete of one row (id ?1, cutoff ?2).
struct RetentionSql {
  const char* scan;
  const char* remove;
};

RetentionSql retentionSql(RetentionTable table) {
  switch (table) {
    // Events are walked in id order, the order they were received in (an index on their time
    // would halve the ingest rate); ?1 and ?2 are not used, the caller stops at the first
    // event received after its cutoff.
    case RetentionTable::kSecurityEvents:
      return {
          "SELECT e.id, e.wall_time, e.received_at, coalesce(a.school_id, '') "
          "FROM events e LEFT JOIN agents a ON a.id = e.agent_id "
          "WHERE e.id > ?3 AND e.priority = 1 ORDER BY e.id LIMIT ?4",
          "DELETE FROM events WHERE id = ?1 AND priority = 1 AND wall_time < ?2 AND "
          "received_at < ?2"};
    case RetentionTable::kActivityEvents:
      return {
          "SELECT e.id, e.wall_time, e.received_at, coalesce(a.school_id, '') "
          "FROM events e LEFT JOIN agents a ON a.id = e.agent_id "
          "WHERE e.id > ?3 AND e.priority = 2 ORDER BY e.id LIMIT ?4",
          "DELETE FROM events WHERE id = ?1 AND priority = 2 AND wall_time < ?2 AND "
          "received_at < ?2"};
    case RetentionTable::kVisits:
      return {
          "SELECT id, visit_time, received_at, school_id FROM browsing_visits "
          "INDEXED BY browsing_visits_time WHERE visit_time < ?1 AND (visit_time, id) > "
          "(?2, ?3) ORDER BY visit_time, id LIMIT ?4",
          "DELETE FROM browsing_visits WHERE id = ?1 AND visit_time < ?2 AND "
          "received_at < ?2"};
    case RetentionTable::kSessions:
      // An open session is as old as its start; a closed one as its end.
      return {
          "SELECT id, start_time, updated_at, school_id FROM seat_sessions "
          "INDEXED BY seat_sessions_time WHERE start_time < ?1 AND (start_time, id) > "
          "(?2, ?3) ORDER BY start_time, id LIMIT ?4",
          "DELETE FROM seat_sessions WHERE id = ?1 AND start_time < ?2 AND "
          "coalesce(end_time, start_time) < ?2 AND received_at < ?2 AND updated_at < ?2"};
    case RetentionTable::kAlerts:
      return {
          "SELECT id, visit_time, received_at, school_id FROM site_alerts "
          "INDEXED BY site_alerts_time WHERE visit_time < ?1 AND (visit_time, id) > "
          "(?2, ?3) ORDER BY visit_time, id LIMIT ?4",
          "DELETE FROM site_alerts WHERE id = ?1 AND visit_time < ?2 AND received_at < ?2"};
  }
  return {"", ""};
}

}  // namespace

std::string reversedDomain(std::string_view domain) {
  while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  std::string out;
  out.reserve(domain.size() + 1);
  while (!domain.empty()) {
    size_t dot = domain.rfind('.');
    std::string_view label = dot == std::string_view::npos ? domain : domain.substr(dot + 1);
    for (char c : label) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    out += '.';
    domain = dot == std::string_view::npos ? std::string_view() : domain.substr(0, dot);
  }
  return out.empty() ? "." : out;
}

Result<TerminalPlace> readTerminalPlace(SqliteDb& db, const AgentRow& agent) {
  // The seat only when this terminal holds the entry (the earliest claimant, as the registry).
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("SELECT t.school_id, t.room, coalesce(e.room, ''), coalesce(e.seat, 0) "
                 "FROM terminals t LEFT JOIN registry_entries e ON t.registry_mac <> '' AND "
                 "e.mac = t.registry_mac AND t.id = (SELECT t2.id FROM terminals t2 WHERE "
                 "t2.registry_mac = e.mac ORDER BY t2.registry_since, t2.id LIMIT 1) "
                 "WHERE t.id = ?1"));
  st->bind(1, agent.terminal_id);
  TerminalPlace place{agent.terminal_id, agent.school_id, "", 0};
  XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
  if (!row) return place;
  place.school_id = st->columnText(0);
  place.room = st->columnText(1).empty() ? st->columnText(2) : st->columnText(1);
  place.seat = static_cast<uint32_t>(st->columnInt64(3));
  return place;
}

Result<uint64_t> storeVisits(SqliteDb& db, const TerminalPlace& place,
                             const std::vector<VisitRow>& visits, int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("INSERT OR IGNORE INTO browsing_visits(terminal_id, key, school_id, room, seat, "
                 "user_name, browser, profile, url, domain, rdomain, title, visit_time, "
                 "transition, duration_ms, synced, received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
                 "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"));
  uint64_t stored = 0;
  for (const auto& v : visits) {
    bindPlace(*st, place, v.key);
    bindVisit(*st, 6, v);
    st->bind(14, int64_t{v.transition})
        .bind(15, v.duration_ms)
        .bind(16, int64_t{v.synced ? 1 : 0})
        .bind(17, now_ms);
    XIAOAN_RETURN_IF_ERROR(st->run());
    stored += static_cast<uint64_t>(db.changes());
    st->reset();
  }
  return stored;
}

Status storeSession(SqliteDb& db, const TerminalPlace& place, const SessionRow& s, int64_t now_ms) {
  // A close keeps the place of the open (the seat the student sat at) and sets the end once.
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("INSERT INTO seat_sessions(terminal_id, key, school_id, room, seat, user_name, "
                 "uid, location, remote_host, boot_id, start_time, end_time, end_reason, "
                 "received_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                 "?12, ?13, ?14, ?14) ON CONFLICT(terminal_id, key) DO UPDATE SET "
                 "end_time = coalesce(seat_sessions.end_time, excluded.end_time), "
                 "end_reason = CASE WHEN seat_sessions.end_time IS NULL THEN excluded.end_reason "
                 "ELSE seat_sessions.end_reason END, updated_at = excluded.updated_at"));
  bindPlace(*st, place, s.key);
  st->bind(6, s.user)
      .bind(7, int64_t{s.uid})
      .bind(8, s.location)
      .bind(9, s.remote_host)
      .bind(10, s.boot_id)
      .bind(11, s.start_ms)
      .bind(12, s.end_ms)
      .bind(13, int64_t{s.end_reason})
      .bind(14, now_ms);
  return st->run();
}

Result<bool> storeAlert(SqliteDb& db, const TerminalPlace& place, const AlertRow& a,
                        int64_t now_ms) {
  XIAOAN_ASSIGN_OR_RETURN(
      auto st,
      db.prepare("INSERT OR IGNORE INTO site_alerts(terminal_id, key, school_id, room, seat, "
                 "category, field, pattern, blocked_category, user_name, browser, profile, url, "
                 "domain, rdomain, title, visit_time, received_at) VALUES(?1, ?2, ?3, ?4, ?5, "
                 "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"));
  bindPlace(*st, place, a.key);
  st->bind(6, int64_t{a.category})
      .bind(7, int64_t{a.field})
      .bind(8, a.pattern)
      .bind(9, int64_t{a.blocked_category ? 1 : 0})
      .bind(18, now_ms);
  bindVisit(*st, 10, a.visit);
  XIAOAN_RETURN_IF_ERROR(st->run());
  return db.changes() > 0;
}

Result<std::vector<StoredVisit>> readVisits(SqliteDb& db, const RecordQuery& query) {
  return search<StoredVisit>(db, query, "browsing_visits",
                             query.domain.empty() ? "" : " INDEXED BY browsing_visits_domain",
                             std::string(kVisitColumns) + ", r.transition, r.duration_ms, r.synced",
                             "visit_time", true, [](const SqliteStatement& st, int c) {
                               VisitRow v = visitFrom(st, c);
                               v.transition = static_cast<int>(st.columnInt64(c + 8));
                               v.duration_ms = st.columnInt64(c + 9);
                               v.synced = st.columnInt64(c + 10) != 0;
                               return v;
                             });
}

Result<std::vector<StoredSession>> readSessions(SqliteDb& db, const RecordQuery& query) {
  return search<StoredSession>(
      db, query, "seat_sessions", "",
      "r.key, r.user_name, r.uid, r.location, r.remote_host, r.boot_id, r.start_time, "
      "r.end_time, r.end_reason",
      "start_time", false, [](const SqliteStatement& st, int c) {
        SessionRow s;
        s.key = st.columnText(c);
        s.user = st.columnText(c + 1);
        s.uid = static_cast<uint32_t>(st.columnInt64(c + 2));
        s.location = st.columnText(c + 3);
        s.remote_host = st.columnText(c + 4);
        s.boot_id = st.columnText(c + 5);
        s.start_ms = st.columnInt64(c + 6);
        s.end_ms = st.columnOptionalInt64(c + 7);
        s.end_reason = static_cast<int>(st.columnInt64(c + 8));
        return s;
      });
}

Result<std::vector<StoredAlert>> readAlerts(SqliteDb& db, const RecordQuery& query) {
  return search<StoredAlert>(
      db, query, "site_alerts", "",
      std::string(kVisitColumns) + ", r.category, r.field, r.pattern, r.blocked_category",
      "visit_time", true, [](const SqliteStatement& st, int c) {
        AlertRow a;
        a.visit = visitFrom(st, c);
        a.key = a.visit.key;
        a.category = static_cast<int>(st.columnInt64(c + 8));
        a.field = static_cast<int>(st.columnInt64(c + 9));
        a.pattern = st.columnText(c + 10);
        a.blocked_category = st.columnInt64(c + 11) != 0;
        return a;
      });
}

Result<std::vector<RetentionCandidate>> readRetentionCandidates(SqliteDb& db, RetentionTable table,
                                                                int64_t before_ms,
                                                                std::pair<int64_t, int64_t> after,
                                                                uint32_t limit) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(retentionSql(table).scan));
  st->bind(1, before_ms).bind(2, after.first).bind(3, after.second).bind(4, int64_t{limit});
  std::vector<RetentionCandidate> out;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, st->step());
    if (!row) break;
    out.push_back({st->columnInt64(0), st->columnInt64(1), st->columnInt64(2), st->columnText(3)});
  }
  return out;
}

namespace {

// Reads, without any lock, the index entries deleting a visit will change: each index lookup
// pulls the page holding the entry into the connection's cache, so that the delete itself,
// under the write lock, finds them there instead of waiting on the disk seven times a row.
constexpr const char* kWarmVisitIndexes =
    "SELECT (SELECT count(*) FROM browsing_visits WHERE terminal_id = v.terminal_id AND key = "
    "v.key), (SELECT count(*) FROM browsing_visits INDEXED BY browsing_visits_domain WHERE "
    "rdomain = v.rdomain AND visit_time = v.visit_time), (SELECT count(*) FROM browsing_visits "
    "INDEXED BY browsing_visits_terminal WHERE terminal_id = v.terminal_id AND visit_time = "
    "v.visit_time), (SELECT count(*) FROM browsing_visits INDEXED BY browsing_visits_user WHERE "
    "user_name = v.user_name AND visit_time = v.visit_time), (SELECT count(*) FROM "
    "browsing_visits INDEXED BY browsing_visits_school WHERE school_id = v.school_id AND "
    "visit_time = v.visit_time), (SELECT count(*) FROM browsing_visits INDEXED BY "
    "browsing_visits_room WHERE school_id = v.school_id AND room = v.room AND visit_time = "
    "v.visit_time) FROM browsing_visits v WHERE v.id = ?1";

Status warmVisitIndexes(SqliteDb& db, const std::vector<std::pair<int64_t, int64_t>>& rows) {
  XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(kWarmVisitIndexes));
  for (const auto& row : rows) {
    st->bind(1, row.first);
    XIAOAN_RETURN_IF_ERROR(st->run());
    st->reset();
  }
  return Status::ok();
}

}  // namespace

Result<RetentionDeletion> deleteRetained(SqliteDb& db, RetentionTable table,
                                         const std::vector<std::pair<int64_t, int64_t>>& rows) {
  RetentionDeletion out;
  if (rows.empty()) return out;
  if (table == RetentionTable::kVisits) XIAOAN_RETURN_IF_ERROR(warmVisitIndexes(db, rows));
  // This connection leaves checkpoints to the others (the ingest writer's commits run them): a
  // checkpoint after one of its commits would keep the pass from the next batch for nothing.
  XIAOAN_RETURN_IF_ERROR(db.exec("PRAGMA wal_autocheckpoint=0"));
  XIAOAN_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::begin(db));
  uint64_t start = steadyNs();
  {
    XIAOAN_ASSIGN_OR_RETURN(auto st, db.prepare(retentionSql(table).remove));
    for (const auto& [id, cutoff] : rows) {
      st->bind(1, id).bind(2, cutoff);
      XIAOAN_RETURN_IF_ERROR(st->run());
      out.deleted += static_cast<uint64_t>(db.changes());
      st->reset();
    }
  }
  XIAOAN_RETURN_IF_ERROR(txn.commit());
  out.hold_ns = steadyNs() - start;
  return out;
}

}  // namespace xiaoan::collector
