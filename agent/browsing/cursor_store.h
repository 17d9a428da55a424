#pragma once

#include <map>
#include <optional>
#include <string>

#include "agent/browsing/history_reader.h"
#include "platform/file.h"
#include "platform/result.h"

// Per-profile reading positions, persisted in the agent's state directory so that a restart,
// a crash or a restore card on the browser's side never sends a visit twice or loses one. The
// file is replaced atomically after the visits it covers are in the spool; a torn or corrupt
// line is skipped (that profile is read again from its start: the collector's keys absorb the
// repeats).
namespace xiaoan::agent::browsing {

struct SavedCursor {
  HistoryCursor cursor;
  FileId db_id;  // identity of the database file the cursor belongs to
  // How many visits the database held after `window_start` up to the cursor (database units;
  // -1: not counted). Fewer at the next read: visits the agent had read were deleted.
  int64_t window_start = 0;
  int64_t window_count = -1;
  bool operator==(const SavedCursor&) const = default;
};

inline constexpr size_t kMaxSavedCursors = 4096;
inline constexpr size_t kMaxCursorFileBytes = 4 * 1024 * 1024;

class CursorStore {
 public:
  explicit CursorStore(std::string path) : path_(std::move(path)) {}

  // Reads the file; a missing file is an empty store. Malformed lines are skipped.
  Status load();
  // Writes all cursors atomically and durably.
  Status save() const;

  std::optional<SavedCursor> get(const std::string& key) const;
  // Keys are database paths; one holding a newline is not kept (E_INVALID_ARGUMENT).
  Status put(const std::string& key, const SavedCursor& cursor);
  size_t size() const { return cursors_.size(); }

  // The text form, one "time id time_only dev ino window_start window_count key" line per
  // profile.
  std::string serialize() const;
  void parse(std::string_view text);

 private:
  std::string path_;
  std::map<std::string, SavedCursor> cursors_;
};

}  // namespace xiaoan::agent::browsing
