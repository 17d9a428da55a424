#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// <state_dir>/content/sha256/<hex>: artifacts by the SHA-256 that signed metadata names. Only
// verified bytes ever carry the final name: a download goes to <hex>.part and is renamed once
// its length and hash match (RELIABILITY.md I1). Not thread-safe (one content manager uses it).
class ArtifactStore {
 public:
  explicit ArtifactStore(const std::string& state_dir);

  // Creates the directory (0700).
  Status prepare();

  std::string path(const v1::Artifact& artifact) const;
  std::string partPath(const v1::Artifact& artifact) const;

  // The bytes of a stored artifact, checked again against `artifact` (at most `max_bytes`):
  // a file damaged on disk is deleted and reported as E_ARTIFACT_HASH; E_NOT_FOUND when absent.
  Result<std::string> read(const v1::Artifact& artifact, size_t max_bytes) const;

  // True when the final file exists and still matches `artifact` (hashes the file); a damaged
  // one is deleted.
  bool holdsVerified(const v1::Artifact& artifact) const;

  // Verifies the complete .part and renames it into place. E_ARTIFACT_HASH (and the .part is
  // deleted, so the next attempt starts over) when length or hash differ.
  Status commitPart(const v1::Artifact& artifact) const;

  // Stores bytes that came from elsewhere (an offline bundle) after the same checks.
  Status put(const v1::Artifact& artifact, std::string_view bytes) const;

  // Deletes stored artifacts and .part files whose hash (lower-case hex) is not in `keep`.
  // Returns how many files were deleted.
  size_t collectGarbage(const std::set<std::string>& keep) const;

  const std::string& dir() const { return dir_; }

 private:
  Status verifyFile(const std::string& file, const v1::Artifact& artifact) const;
  std::string dir_;
};

// Lower-case hex of the artifact's SHA-256 (its file name).
std::string artifactHex(const v1::Artifact& artifact);

// "policy v3 (sha256 ab12cd34…)", for logs and errors.
std::string describeArtifact(const v1::Artifact& artifact);

}  // namespace xiaoan::agent::content
