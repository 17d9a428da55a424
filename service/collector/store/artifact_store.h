#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan::collector {

// Content-addressed artifact files: D/artifacts/sha256/<lower-case hex of SHA-256>. Files are
// written atomically and never change; agents fetch them with GET /v1/artifacts/sha256/<hex>.
class ArtifactStore {
 public:
  explicit ArtifactStore(std::string data_dir);

  // Stores `bytes` under their SHA-256 (nothing to do when the file is already there with
  // that length). Returns the raw 32-byte SHA-256. Safe to call from several threads.
  Result<std::string> put(std::string_view bytes);
  // The file of `hex` (not checked for existence); `hex` must satisfy isSha256Hex.
  std::string pathOf(std::string_view hex) const;
  // The bytes of an artifact, at most `max_bytes` (E_NOT_FOUND, E_TOO_LARGE).
  Result<std::string> read(std::string_view hex, size_t max_bytes) const;
  // Size of a stored artifact; nullopt when absent.
  std::optional<uint64_t> sizeOf(std::string_view hex) const;

 private:
  std::string dir_;
  std::mutex write_mu_;  // one writer per file name at a time (temp names are per process)
};

// 64 lower-case hex digits.
bool isSha256Hex(std::string_view text);

}  // namespace xiaoan::collector
