#pragma once

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
// Thread-safe.

namespace xiaoan::agent::scan {

// A detected file to quarantine.
struct QuarantineRequest {
  std::string path;           // raw bytes, absolute
  uint64_t dev = 0, ino = 0;  // identity of the file that was scanned (0, 0: not checked)
  std::vector<v1::RuleMatch> matches;
  uint64_t bundle_version = 0;
};

class Quarantine {
 public:
  // Creates `dir` (0700) and, the first time, the key <dir>/key (32 random bytes, 0600); later
  // opens only read it. E_QUARANTINE when the key is unusable (entries would be unreadable).
  static Result<std::unique_ptr<Quarantine>> open(const std::string& dir, const Clock& clock);

  // Moves the file in. E_QUARANTINE when it is not the regular file that was scanned or when
  // it cannot be removed (then nothing stays in the quarantine).
  Result<v1::QuarantineEntry> add(const QuarantineRequest& request);

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
  Quarantine(std::string dir, std::string key, const Clock& clock);
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
  mutable std::mutex mu_;
  std::vector<std::string> restored_;  // "dev ino size mtime_ns", oldest first
};

// "a1b2c3d4e5f60718": the id form (16 lower-case hex digits).
bool isQuarantineId(const std::string& id);

}  // namespace xiaoan::agent::scan
