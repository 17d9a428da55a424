#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "platform/file_walker.h"
#include "platform/result.h"
#include "xiaoan/v1/scan.pb.h"

// Files that crashed or hung the scanner. Such a file is skipped (counted as faulted) while it
// is unchanged (same device, inode, size, mtime) and the bundle version is the one it faulted
// with: a new bundle or a changed file gets another chance. Persistent, written atomically on
// every change (faults are rare).

namespace xiaoan::agent::scan {

struct FaultRecord {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0;
  uint64_t bundle_version = 0;
  v1::ScanFaultEvent::Kind kind = v1::ScanFaultEvent::KIND_UNSPECIFIED;
  std::string path;  // raw bytes
};

class FaultList {
 public:
  static constexpr size_t kMaxEntries = 10000;

  // Loads `path` (missing or damaged: empty; damage is logged).
  static std::unique_ptr<FaultList> load(const std::string& path);

  bool contains(const FileStat& st, uint64_t bundle_version) const;
  // Records and persists a fault (replacing an older one of the same file).
  Status add(FaultRecord record);
  size_t size() const;

 private:
  struct Stored {
    FaultRecord record;
    uint64_t seq = 0;  // insertion order, for eviction
  };

  explicit FaultList(std::string path) : path_(std::move(path)) {}
  bool parse(const std::string& payload);
  std::string serialize() const;

  const std::string path_;
  mutable std::mutex mu_;
  std::unordered_map<FileId, Stored, FileIdHash> entries_;
  uint64_t next_seq_ = 0;
};

}  // namespace xiaoan::agent::scan
