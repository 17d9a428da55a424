#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "platform/file_walker.h"
#include "platform/result.h"

// Files found clean, keyed by identity (device, inode) and valid while their size, mtime, ctime
// and the bundle version are the same: a rescan of an unchanged tree opens nothing. Only clean
// verdicts are kept (a file that matched is scanned and reported again). Persistent in one file,
// written atomically; a damaged file is ignored and the cache rebuilt.

namespace xiaoan::agent::scan {

class ResultCache {
 public:
  // Loads `path` (missing: empty). max_entries bounds memory and file size; the entries seen
  // least recently go first.
  static std::unique_ptr<ResultCache> load(const std::string& path, size_t max_entries);

  // True when the file is known clean for this bundle; refreshes the entry's last use.
  bool isClean(const FileStat& st, uint64_t bundle_version);
  void markClean(const FileStat& st, uint64_t bundle_version);
  void forget(const FileStat& st);

  // Writes the file when something changed since the last save and, with `at_most_every`,
  // the last write is at least that old (the file holds every entry: up to ~14 MB). A skipped
  // save stays due. Thread-safe.
  Status save(std::chrono::seconds at_most_every = std::chrono::seconds(0));
  // The day number (days since the epoch) recorded as last use; the engine sets it per pass.
  void setToday(uint32_t day);
  static uint32_t dayNumber(std::chrono::system_clock::time_point t);

  size_t size() const;
  // True when the file existed but was damaged (ignored at load).
  bool loadedDamaged() const { return damaged_; }

 private:
  // What must still hold for a hit (size, mtime, ctime, bundle version), folded into 64 bits
  // to keep the table small (a few hundred thousand files): a stale entry matches by chance
  // with probability 2^-64.
  struct Entry {
    uint64_t fingerprint = 0;
    uint32_t last_day = 0;
  };

  ResultCache(std::string path, size_t max_entries);
  static uint64_t fingerprint(const FileStat& st, uint64_t bundle_version);
  bool parse(const std::string& payload);
  std::string serialize();  // with mu_ held
  void evictOldest();       // with mu_ held

  const std::string path_;
  const size_t max_;
  bool damaged_ = false;
  mutable std::mutex mu_;
  std::unordered_map<FileId, Entry, FileIdHash> entries_;
  uint32_t today_ = 0;
  bool dirty_ = false;
  std::mutex save_mu_;                                  // one writer of the file at a time
  std::chrono::steady_clock::time_point last_write_{};  // with save_mu_ held
};

}  // namespace xiaoan::agent::scan
