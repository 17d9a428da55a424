#include "agent/browsing/history_reader.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr int64_t kWindowsToUnixMicros = 11644473600000000;

// Column order of every visit query: id, time, url, title, transition, duration, synced.
// Chromium: duration and the sync markers are optional columns (schema >= 21 / >= 55 / the
// visit_source table); Firefox has no duration and marks synced visits in `source` (= 1) on
// newer schemas.
std::string chromiumSelect(bool duration, bool guid, bool source) {
  std::string synced = "0";
  if (guid) synced = "(coalesce(v.originator_cache_guid,'') <> '')";
  if (source) synced += " OR coalesce(vs.source,1) = 0";
  return std::string("SELECT v.id, v.visit_time, u.url, u.title, v.transition, ") +
         (duration ? "v.visit_duration" : "0") + ", (" + synced +
         ") FROM visits v JOIN urls u ON u.id = v.url" +
         (source ? " LEFT JOIN visit_source vs ON vs.id = v.id" : "");
}

std::string firefoxSelect(bool source) {
  return std::string("SELECT v.id, v.visit_date, p.url, p.title, v.visit_type, 0, ") +
         (source ? "(coalesce(v.source,0) = 1)" : "0") +
         " FROM moz_historyvisits v JOIN moz_places p ON p.id = v.place_id";
}

}  // namespace

v1::VisitTransition chromiumTransition(int64_t transition, bool* subframe) {
  const int core = static_cast<int>(transition & 0xFF);
  const bool redirect = (transition & 0xC0000000LL) != 0;
  *subframe = core == 3 || core == 4;
  switch (core) {
    case 0:
      return redirect ? v1::VISIT_TRANSITION_REDIRECT : v1::VISIT_TRANSITION_LINK;
    case 1:
      return v1::VISIT_TRANSITION_TYPED;
    case 2:
      return v1::VISIT_TRANSITION_BOOKMARK;
    case 5:
    case 9:
    case 10:
      return v1::VISIT_TRANSITION_SEARCH;
    case 6:
      return v1::VISIT_TRANSITION_AUTO;
    case 7:
      return v1::VISIT_TRANSITION_FORM;
    case 8:
      return v1::VISIT_TRANSITION_RELOAD;
    default:
      return v1::VISIT_TRANSITION_OTHER;
  }
}

v1::VisitTransition firefoxTransition(int64_t visit_type, bool* subframe) {
  *subframe = visit_type == 4 || visit_type == 8;  // EMBED, FRAMED_LINK
  switch (visit_type) {
    case 1:
      return v1::VISIT_TRANSITION_LINK;
    case 2:
      return v1::VISIT_TRANSITION_TYPED;
    case 3:
      return v1::VISIT_TRANSITION_BOOKMARK;
    case 5:
    case 6:
      return v1::VISIT_TRANSITION_REDIRECT;
    case 7:
      return v1::VISIT_TRANSITION_DOWNLOAD;
    case 9:
      return v1::VISIT_TRANSITION_RELOAD;
    default:
      return v1::VISIT_TRANSITION_OTHER;
  }
}

int64_t chromiumToUnixMicros(int64_t raw) {
  return raw >= kWindowsToUnixMicros ? raw - kWindowsToUnixMicros : raw;
}

int64_t unixToChromiumMicros(int64_t unix_us) { return unix_us + kWindowsToUnixMicros; }

Result<HistoryReader> HistoryReader::open(const std::string& copy_path) {
  XIAOAN_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::openCopy(copy_path));
  XIAOAN_ASSIGN_OR_RETURN(bool visits, db.hasTable("visits"));
  XIAOAN_ASSIGN_OR_RETURN(bool urls, db.hasTable("urls"));
  XIAOAN_ASSIGN_OR_RETURN(bool moz_visits, db.hasTable("moz_historyvisits"));
  XIAOAN_ASSIGN_OR_RETURN(bool moz_places, db.hasTable("moz_places"));
  if (!(visits && urls) && !(moz_visits && moz_places)) {
    return Status(ErrorCode::kDatabase, "unexpected schema: not a browser history database");
  }
  HistoryReader reader(std::move(db),
                       visits && urls ? HistoryFormat::kChromium : HistoryFormat::kFirefox);
  XIAOAN_RETURN_IF_ERROR(reader.prepareQueries());
  return reader;
}

Status HistoryReader::prepareQueries() {
  std::string select, time, id;
  if (format_ == HistoryFormat::kChromium) {
    XIAOAN_ASSIGN_OR_RETURN(has_duration_, db_.hasColumn("visits", "visit_duration"));
    XIAOAN_ASSIGN_OR_RETURN(has_guid_, db_.hasColumn("visits", "originator_cache_guid"));
    XIAOAN_ASSIGN_OR_RETURN(has_source_, db_.hasTable("visit_source"));
    select = chromiumSelect(has_duration_, has_guid_, has_source_);
    time = "v.visit_time";
  } else {
    XIAOAN_ASSIGN_OR_RETURN(has_source_, db_.hasColumn("moz_historyvisits", "source"));
    select = firefoxSelect(has_source_);
    time = "v.visit_date";
  }
  const std::string order = " ORDER BY " + time + ", v.id LIMIT ?3";
  XIAOAN_ASSIGN_OR_RETURN(after_, db_.prepare(select + " WHERE " + time + " > ?1 OR (" + time +
                                              " = ?1 AND v.id > ?2)" + order));
  // ?2 (the id) is bound but unused: a time-only cursor takes every visit after its time.
  XIAOAN_ASSIGN_OR_RETURN(after_time_only_,
                          db_.prepare(select + " WHERE " + time + " > ?1" + order));
  const std::string table =
      format_ == HistoryFormat::kChromium ? "visits v" : "moz_historyvisits v";
  XIAOAN_ASSIGN_OR_RETURN(
      exists_, db_.prepare("SELECT 1 FROM " + table + " WHERE v.id = ?2 AND " + time + " = ?1"));
  XIAOAN_ASSIGN_OR_RETURN(
      count_, db_.prepare("SELECT count(*) FROM " + table + " WHERE " + time + " > ?1 AND (" +
                          time + " < ?2 OR (" + time + " = ?2 AND v.id <= ?3))"));
  return Status::ok();
}

RawVisit HistoryReader::rowToVisit(const SqliteStatement& row) const {
  RawVisit v;
  v.id = row.integer(0);
  v.raw_time = row.integer(1);
  v.url = row.text(2, kMaxUrlBytes);
  v.title = row.text(3, kMaxTitleBytes);
  if (format_ == HistoryFormat::kChromium) {
    v.unix_us = chromiumToUnixMicros(v.raw_time);
    v.transition = chromiumTransition(row.integer(4), &v.subframe);
    const int64_t duration_us = row.integer(5);
    v.duration_ms = duration_us > 0 ? static_cast<uint64_t>(duration_us) / 1000 : 0;
  } else {
    v.unix_us = v.raw_time;
    v.transition = firefoxTransition(row.integer(4), &v.subframe);
  }
  v.synced = row.integer(6) != 0;
  return v;
}

Result<HistoryBatch> HistoryReader::readAfter(const HistoryCursor& cursor, size_t limit) {
  SqliteStatement& q = cursor.time_only ? after_time_only_ : after_;
  q.reset();
  q.bind(1, cursor.time);
  q.bind(2, cursor.id);
  q.bind(3, static_cast<int64_t>(limit));
  HistoryBatch batch;
  batch.next = cursor;
  size_t rows = 0;
  bool stopped = false;
  while (true) {
    XIAOAN_ASSIGN_OR_RETURN(bool row, q.step());
    if (!row) break;
    ++rows;
    RawVisit v = rowToVisit(q);
    // A value that is not an integer (text or real in a malformed file) sorts differently from
    // what it reads as: the cursor must only move forward, so reading stops there.
    if (!(v.raw_time > batch.next.time ||
          (v.raw_time == batch.next.time && v.id > batch.next.id))) {
      stopped = true;
      break;
    }
    batch.next = {v.raw_time, v.id, false};
    batch.visits.push_back(std::move(v));
  }
  q.reset();
  batch.more = rows >= limit && !stopped;
  return batch;
}

Result<bool> HistoryReader::hasVisit(const HistoryCursor& cursor) {
  exists_.reset();
  exists_.bind(1, cursor.time);
  exists_.bind(2, cursor.id);
  auto r = exists_.step();
  exists_.reset();
  return r;
}

Result<int64_t> HistoryReader::countThrough(int64_t after_time, const HistoryCursor& cursor) {
  count_.reset();
  count_.bind(1, after_time);
  count_.bind(2, cursor.time);
  count_.bind(3, cursor.time_only ? std::numeric_limits<int64_t>::max() : cursor.id);
  XIAOAN_ASSIGN_OR_RETURN(bool row, count_.step());
  const int64_t n = row ? count_.integer(0) : 0;
  count_.reset();
  return n;
}

}  // namespace xiaoan::agent::browsing
