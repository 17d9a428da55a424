#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/browsing/browsing_sink.h"
#include "agent/browsing/cursor_store.h"
#include "agent/browsing/history_snapshot.h"
#include "agent/browsing/profile_discovery.h"
#include "agent/browsing/site_matcher.h"
#include "agent/browsing/visit_builder.h"
#include "platform/clock.h"

// One poll of one profile: the cheap change check, the private copy, reset detection, the
// visits after the cursor as batches of at most 500, a site alert per matching visit, and the
// cursor saved once the events are in the spool.
namespace xiaoan::agent::browsing {

inline constexpr size_t kMaxVisitsPerBatch = 500;
// A database that changed during every copy attempt of this many polls in a row is reported
// unreadable (one busy poll is normal while the browser writes).
inline constexpr int kBusyPollsReported = 3;

struct CollectorOptions {
  SnapshotOptions snapshot;
  size_t max_visits_per_poll = 20000;  // per profile; the rest is read at the next poll
  // A cursor visit older than this that vanished was expired by the browser (Chromium keeps
  // 90 days), not cleared.
  std::chrono::hours expiry_age = std::chrono::hours(24 * 80);
  // Deleted visits are looked for among those read after (now - this); the window is kept
  // while younger than expiry_age, so the browser's own expiry never counts as a deletion.
  std::chrono::hours deletion_window = std::chrono::hours(24 * 30);
};

struct PollResult {
  uint64_t visits_sent = 0;  // visits put in events
  uint64_t alerts = 0;       // site alerts raised
  bool read = false;         // the database was copied and read (false: unchanged or error)
  bool more = false;         // the per-poll limit stopped the read
  Status status;             // the error reading it, if any
};

class HistoryCollector {
 public:
  HistoryCollector(CollectorOptions options, const Clock& clock, CursorStore& cursors,
                   BrowsingSink& sink);

  // Polls `profile` with the policy's visit rules and site matcher.
  PollResult poll(const BrowserProfile& profile, const VisitBuilder& builder,
                  const SiteMatcher& matcher);
  // Forgets the in-memory change state (the next poll copies every database again).
  void forgetSeen() { seen_.clear(); }
  // Quiet: no history events (reset, replaced, unreadable, profile found) are sent; for the
  // polls that only move cursors while collection is off.
  void setQuiet(bool quiet) { quiet_ = quiet; }

 private:
  struct Seen {
    SourceState state;
    bool more = false;
    Status last_error;   // the last error reported for it (OK: none)
    int busy_polls = 0;  // consecutive polls whose copy kept changing
  };
  Status readProfile(const BrowserProfile& profile, const VisitBuilder& builder,
                     const SiteMatcher& matcher, const SourceState& copied, PollResult& result);
  Result<HistoryCursor> checkReset(const BrowserProfile& profile, HistoryReader& reader,
                                   const SavedCursor& saved, const FileId& db_id);
  // A reset event when visits up to the cursor were deleted since the last read.
  Status checkDeleted(const BrowserProfile& profile, HistoryReader& reader,
                      const SavedCursor& saved);
  // The cursor to save, with the count of visits in its deletion window.
  SavedCursor toSave(const BrowserProfile& profile, HistoryReader& reader,
                     const std::optional<SavedCursor>& saved, const HistoryCursor& cursor,
                     const FileId& db_id) const;
  bool windowFresh(const BrowserProfile& profile, int64_t window_start) const;
  Status emitHistory(const BrowserProfile& profile, v1::BrowsingHistoryEvent::Kind kind,
                     const HistoryCursor* cursor, const Status* error);
  Status emitBatch(const BrowserProfile& profile, const HistoryBatch& batch,
                   const VisitBuilder& builder, const SiteMatcher& matcher, PollResult& result);
  void reportError(const BrowserProfile& profile, Seen& seen, const Status& status);

  CollectorOptions options_;
  const Clock& clock_;
  CursorStore& cursors_;
  BrowsingSink& sink_;
  HistorySnapshot snapshot_;
  std::map<std::string, Seen> seen_;  // by database path
  bool quiet_ = false;
};

}  // namespace xiaoan::agent::browsing
