#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/scan/quarantine_cipher.h"
#include "platform/clock.h"
#include "platform/file.h"
#include "platform/result.h"
#include "xiaoan/v1/scan.pb.h"

// The encrypted quarantine (issue 4, DESIGN.md §5): a detected file is moved into
// <state_dir>/quarantine as <id>.bin (AES-256-GCM under a per-agent random key, see
// quarantine_cipher.h) with its metadata in <id>.pb (QuarantineEntry). The original is removed
// only after the encrypted copy and its metadata are durable, so a crash never loses the file.
// Restore decrypts (authenticated: a tampered file is refused) to the original path or another
// one, never over an existing file, with owner, mode and mtime, then deletes the entry. A file
// an admin restored is remembered (<dir>/restored: device, inode, size, mtime) so that it is
// not quarantined again while it stays unchanged — restoring declares it a false positive.
// The quarantine is bounded (policy scan.quarantine_*): a file that would pass the size or
// file-count cap, or leave less than the reserve free on the file system, is not taken (the
// caller reports it); nothing already quarantined is ever deleted to make room.
// Thread-safe.

namespace xiaoan::agent::scan {

// A detected file to quarantine.
struct QuarantineRequest {
  std::string path;           // raw bytes, absolute
  uint64_t dev = 0, ino = 0;  // identity of the file that was scanned (0, 0: not checked)
  std::vector<v1::RuleMatch> matches;
  uint64_t bundle_version = 0;
};

// The bounds of the quarantine (ScanPolicy.quarantine_max_bytes, _max_files, _reserve_bytes).
struct QuarantineLimits {
  uint64_t max_bytes = uint64_t{1} << 30;  // original sizes of the files held, added up
  uint32_t max_files = 1000;
  uint64_t reserve_bytes = uint64_t{512} << 20;  // free space left on the file system
};

// What the quarantine holds now.
struct QuarantineUsage {
  uint64_t files = 0;
  uint64_t bytes = 0;  // original sizes, added up
};

// Why add() did not quarantine a file.
enum class QuarantineRefusal {
  kFailed,  // an error (the file changed, cannot be read or removed, the disk failed)
  kNoRoom,  // not attempted: at the size or file-count cap, or the copy would eat the reserve
};

// Free bytes on the file system of a directory (platform availableSpace; tests pass a fake).
using SpaceProbe = std::function<Result<uint64_t>(const std::string& dir)>;

class Quarantine {
 public:
  // Creates `dir` (0700) and, the first time, the key <dir>/key (32 random bytes, 0600); later
  // opens only read it. E_QUARANTINE when the key is unusable (entries would be unreadable).
  static Result<std::unique_ptr<Quarantine>> open(const std::string& dir, const Clock& clock,
                                                  SpaceProbe space = availableSpace);

  // The bounds from now on (entries already held stay, even when over a lowered cap).
  void setLimits(const QuarantineLimits& limits);
  QuarantineLimits limits() const;
  QuarantineUsage usage() const;

  // Moves the file in. E_QUARANTINE when it is not the regular file that was scanned or when
  // it cannot be removed (then nothing stays in the quarantine), or when there is no room for
  // it (then nothing was written); *why (optional) tells which.
  Result<v1::QuarantineEntry> add(const QuarantineRequest& request,
                                  QuarantineRefusal* why = nullptr);

  // Entries, oldest first; damaged metadata files are skipped (and logged).
  std::vector<v1::QuarantineEntry> list() const;
  size_t count() const;

  // Restores entry `id` to `to` (absolute) or, when empty, its original path; *restored_to is
  // the path written. E_NOT_FOUND unknown id, E_QUARANTINE target exists / not authentic.
  Result<v1::QuarantineEntry> restore(const std::string& id, const std::string& to,
                                      std::string* restored_to);

  // Deletes entry `id` for good. E_NOT_FOUND unknown id.
  Result<v1::QuarantineEntry> remove(const std::string& id);

  // True for a restored file that has not changed since (see above).
  bool wasRestored(uint64_t dev, uint64_t ino, uint64_t size, int64_t mtime_ns) const;

  const std::string& dir() const { return dir_; }

  static constexpr size_t kMaxRestoredKept = 1000;

 private:
  Quarantine(std::string dir, std::string key, const Clock& clock, SpaceProbe space);
  Status checkRoom(uint64_t size) const;           // mu_ held
  void uncount(const v1::QuarantineEntry& entry);  // mu_ held
  Result<v1::QuarantineEntry> load(const std::string& id) const;
  Result<StreamDigest> writeEncrypted(const File& in, const std::string& id) const;
  v1::QuarantineEntry entryFor(const QuarantineRequest& request, const std::string& id,
                               const StreamDigest& digest, const FileStat& st) const;
  Status restoreInto(File& dir, const std::string& name, const v1::QuarantineEntry& entry,
                     const std::string& shown) const;
  Status erase(const std::string& id) const;
  void removeLeftovers() const;
  void loadRestored();
  void rememberRestored(const File& dir, const std::string& name);  // mu_ held
  std::string binPath(const std::string& id) const { return dir_ + "/" + id + ".bin"; }
  std::string pbPath(const std::string& id) const { return dir_ + "/" + id + ".pb"; }

  const std::string dir_;
  const std::string key_;
  const Clock& clock_;
  const SpaceProbe space_;
  mutable std::mutex mu_;
  std::vector<std::string> restored_;  // "dev ino size mtime_ns", oldest first
  QuarantineLimits limits_;
  QuarantineUsage usage_;  // counted at open, kept up to date by add, remove and restore
};

// "a1b2c3d4e5f60718": the id form (16 lower-case hex digits).
bool isQuarantineId(const std::string& id);

}  // namespace xiaoan::agent::scan
