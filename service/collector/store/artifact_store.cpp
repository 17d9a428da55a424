#include "service/collector/store/artifact_store.h"

#include <algorithm>

#include "common/crypto/ed25519.h"
#include "platform/file.h"
#include "platform/file_util.h"

namespace xiaoan::collector {

bool isSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

ArtifactStore::ArtifactStore(std::string data_dir) : dir_(data_dir + "/artifacts/sha256") {}

std::string ArtifactStore::pathOf(std::string_view hex) const {
  return dir_ + "/" + std::string(hex);
}

std::optional<uint64_t> ArtifactStore::sizeOf(std::string_view hex) const {
  auto st = statPath(pathOf(hex), /*follow=*/true);
  if (!st.isOk() || !st->isRegular()) return std::nullopt;
  return st->size;
}

Result<std::string> ArtifactStore::put(std::string_view bytes) {
  std::string sha = crypto::sha256(bytes);
  std::string hex = toHex(sha);
  std::lock_guard lock(write_mu_);
  if (sizeOf(hex) == bytes.size()) return sha;
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir_, 0755));
  // Artifacts are public to enrolled agents and signed: world-readable like the metadata.
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(pathOf(hex), bytes, 0644));
  return sha;
}

Result<std::string> ArtifactStore::read(std::string_view hex, size_t max_bytes) const {
  if (!isSha256Hex(hex)) return Status(ErrorCode::kInvalidArgument, "not a SHA-256 hex digest");
  return readFile(pathOf(hex), max_bytes);
}

}  // namespace xiaoan::collector
