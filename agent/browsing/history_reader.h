#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "agent/browsing/sqlite_db.h"
#include "platform/result.h"
#include "xiaoan/v1/browsing.pb.h"

// Reads the visits of one browser history database (a private copy: see history_snapshot.h)
// after a cursor. Chromium family: `visits` joined with `urls` (optional columns chosen by
// pragma table_info, schemas 16..70); Firefox: `moz_historyvisits` joined with `moz_places`.
namespace xiaoan::agent::browsing {

enum class HistoryFormat { kChromium, kFirefox };

// Caps on what one visit may carry (longer text is cut on a UTF-8 boundary later).
inline constexpr size_t kMaxUrlBytes = 4096;
inline constexpr size_t kMaxTitleBytes = 1024;

// Where reading stopped: visits after (time, id) in the database's own units and order. A
// time-only cursor (after a reset) reads visits strictly newer than `time`, whatever their id.
struct HistoryCursor {
  int64_t time = std::numeric_limits<int64_t>::min();
  int64_t id = 0;
  bool time_only = false;

  bool atStart() const { return time == std::numeric_limits<int64_t>::min(); }
  bool operator==(const HistoryCursor&) const = default;
};

// One visit as the database holds it.
struct RawVisit {
  int64_t id = 0;
  int64_t raw_time = 0;  // the database's units (cursor order)
  int64_t unix_us = 0;   // µs since 1970-01-01 UTC
  std::string url;       // at most kMaxUrlBytes, bytes as stored
  std::string title;     // at most kMaxTitleBytes, bytes as stored
  v1::VisitTransition transition = v1::VISIT_TRANSITION_UNSPECIFIED;
  bool subframe = false;  // a frame inside a page (Chromium subframes, Firefox embeds): not sent
  uint64_t duration_ms = 0;
  bool synced = false;
};

struct HistoryBatch {
  std::vector<RawVisit> visits;  // subframes included (they move the cursor too)
  HistoryCursor next;            // after the last visit returned (== the input when none)
  bool more = false;             // the limit stopped the read
};

// Chromium's transition (core type & 0xFF plus qualifiers) and Firefox's visit_type, mapped.
v1::VisitTransition chromiumTransition(int64_t transition, bool* subframe);
v1::VisitTransition firefoxTransition(int64_t visit_type, bool* subframe);
// µs since 1970 from Chromium's µs since 1601 (databases older than schema 17 on Linux/Mac kept
// µs since 1970: values before 1970 in 1601 units are taken as such).
int64_t chromiumToUnixMicros(int64_t raw);
// µs since 1601 from µs since 1970.
int64_t unixToChromiumMicros(int64_t unix_us);

class HistoryReader {
 public:
  // Opens the copy and finds its format by its tables: E_DATABASE for a file that is not a
  // SQLite database, is corrupt, or holds neither history schema ("unexpected schema").
  static Result<HistoryReader> open(const std::string& copy_path);

  HistoryFormat format() const { return format_; }
  // Up to `limit` visits after `cursor`, oldest first. Reading stops (more = false) at a row
  // whose time does not read as a number after the previous one (a malformed file).
  Result<HistoryBatch> readAfter(const HistoryCursor& cursor, size_t limit);
  // Whether the visit the cursor names is still there.
  Result<bool> hasVisit(const HistoryCursor& cursor);
  // Visits after `after_time` up to and including the cursor (all of its time when time-only).
  Result<int64_t> countThrough(int64_t after_time, const HistoryCursor& cursor);

 private:
  HistoryReader(SqliteDb db, HistoryFormat format) : db_(std::move(db)), format_(format) {}
  Status prepareQueries();
  RawVisit rowToVisit(const SqliteStatement& row) const;

  SqliteDb db_;
  HistoryFormat format_;
  bool has_duration_ = false, has_guid_ = false, has_source_ = false;
  SqliteStatement after_, after_time_only_, exists_, count_;
};

}  // namespace xiaoan::agent::browsing
