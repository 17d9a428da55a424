#pragma once

#include <cstdint>
#include <string>

#include "platform/file.h"
#include "platform/result.h"

// A consistent private copy of a live browser history database. Browsers hold their database
// in exclusive locking mode, so it is never opened where it is: the rollback journal and the
// WAL (never the -shm) and then the database are copied into the agent's private directory, and
// the copy counts only when size, mtime and identity of all three were the same before and
// after (retried a few times). The original is opened read-only and never written.
namespace xiaoan::agent::browsing {

// One source file as stat saw it.
struct SourceFile {
  bool present = false;
  FileId id;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const SourceFile&) const = default;
};

// The database with its sidecars.
struct SourceState {
  SourceFile db, journal, wal;
  bool operator==(const SourceState&) const = default;
};

struct SnapshotOptions {
  std::string work_dir;                         // private directory for the copies (0700)
  uint64_t max_db_bytes = uint64_t{512} << 20;  // larger databases are not copied
  int attempts = 3;                             // copies tried while the source changes
};

class HistorySnapshot {
 public:
  explicit HistorySnapshot(SnapshotOptions options) : options_(std::move(options)) {}
  ~HistorySnapshot() { discard(); }
  HistorySnapshot(const HistorySnapshot&) = delete;
  HistorySnapshot& operator=(const HistorySnapshot&) = delete;

  // Stats the database and its sidecars without opening them (the cheap "did anything
  // change" check). The path is walked from "/" without following any symlink (a user cannot
  // point their profile at another user's file or a system file: E_PERMISSION_DENIED); each
  // file must be a regular file owned by `owner_uid` or root. E_NOT_FOUND when the database
  // is absent, E_TOO_LARGE past max_db_bytes.
  Result<SourceState> stat(const std::string& db_path, uint32_t owner_uid) const;

  // Copies the database and its sidecars to copyPath() (+ "-journal"/"-wal"), checking that
  // nothing changed during the copy; E_TIMEOUT when it kept changing on every attempt. Returns
  // the state that was copied.
  Result<SourceState> copy(const std::string& db_path, uint32_t owner_uid);

  // The copy's path (valid after a successful copy() until discard()).
  std::string copyPath() const { return options_.work_dir + "/history"; }
  // Removes the copies (history is sensitive: nothing stays on disk between reads).
  void discard() const;

 private:
  Result<SourceState> statIn(const File& dir, const std::string& name, uint32_t owner_uid) const;
  Status copyOnce(const File& dir, const std::string& name, const SourceState& state) const;
  Status copyFile(const File& dir, const std::string& from, const std::string& to,
                  const SourceFile& expected) const;

  SnapshotOptions options_;
};

}  // namespace xiaoan::agent::browsing
