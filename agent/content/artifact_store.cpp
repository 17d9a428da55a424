#include "agent/content/artifact_store.h"

#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "common/crypto/ed25519.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::content {
namespace {

constexpr std::string_view kPartSuffix = ".part";

struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// Length and SHA-256 of a file, streamed (artifacts may be far larger than memory wants).
struct FileDigest {
  uint64_t length = 0;
  std::string sha256;
};

Result<FileDigest> digestFile(const std::string& file) {
  auto in = File::open(file, OpenOptions::read());
  if (!in.isOk()) {
    const Status& st = in.status();
    return Status(st.code() == ErrorCode::kNotFound ? ErrorCode::kNotFound : ErrorCode::kIo,
                  st.message(), st.sysErrno());
  }
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status(ErrorCode::kCrypto, "SHA-256 init failed");
  }
  FileDigest out;
  char buf[65536];
  for (;;) {
    Result<size_t> n = in->read(buf, sizeof buf);
    if (!n.isOk()) return Status(ErrorCode::kIo, file + ": " + n.status().message());
    if (*n == 0) break;
    out.length += *n;
    if (EVP_DigestUpdate(ctx.get(), buf, *n) != 1) {
      return Status(ErrorCode::kCrypto, "SHA-256 update failed");
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &md_len) != 1) {
    return Status(ErrorCode::kCrypto, "SHA-256 final failed");
  }
  out.sha256.assign(reinterpret_cast<const char*>(md), md_len);
  return out;
}

void deleteQuietly(const std::string& file) {
  Status st = removeFile(file);
  if (!st.isOk() && st.code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentContent)->warn("cannot delete {}: {}", file, st.message());
  }
}

Status mismatch(const v1::Artifact& a, uint64_t length, std::string_view sha256) {
  if (length != a.length()) {
    return Status(ErrorCode::kArtifactHash, describeArtifact(a) + ": " + std::to_string(length) +
                                                " bytes, signed length is " +
                                                std::to_string(a.length()));
  }
  return Status(ErrorCode::kArtifactHash, describeArtifact(a) + ": SHA-256 is " +
                                              toHex(sha256).substr(0, 16) +
                                              "…, not the signed one");
}

// In-memory bytes against the signed length and hash (hashed once, and only at the right
// length: artifacts from a bundle may be large).
Status checkBytes(const v1::Artifact& a, std::string_view bytes) {
  if (bytes.size() != a.length()) return mismatch(a, bytes.size(), {});
  const std::string sha256 = crypto::sha256(bytes);
  return sha256 == a.sha256() ? Status::ok() : mismatch(a, bytes.size(), sha256);
}

}  // namespace

std::string artifactHex(const v1::Artifact& artifact) { return toHex(artifact.sha256()); }

std::string describeArtifact(const v1::Artifact& a) {
  return a.name() + " v" + std::to_string(a.version()) + " (sha256 " +
         artifactHex(a).substr(0, 16) + "…)";
}

ArtifactStore::ArtifactStore(const std::string& state_dir) : dir_(state_dir + "/content/sha256") {}

Status ArtifactStore::prepare() { return makeDirs(dir_, 0700); }

std::string ArtifactStore::path(const v1::Artifact& artifact) const {
  return dir_ + "/" + artifactHex(artifact);
}

std::string ArtifactStore::partPath(const v1::Artifact& artifact) const {
  return path(artifact) + std::string(kPartSuffix);
}

Status ArtifactStore::verifyFile(const std::string& file, const v1::Artifact& artifact) const {
  XIAOAN_ASSIGN_OR_RETURN(FileDigest d, digestFile(file));
  if (d.length != artifact.length() || d.sha256 != artifact.sha256()) {
    return mismatch(artifact, d.length, d.sha256);
  }
  return Status::ok();
}

Result<std::string> ArtifactStore::read(const v1::Artifact& artifact, size_t max_bytes) const {
  if (artifact.length() > max_bytes) {
    return Status(ErrorCode::kTooLarge, describeArtifact(artifact) + " is larger than " +
                                            std::to_string(max_bytes) + " bytes");
  }
  const std::string file = path(artifact);
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(file, max_bytes));
  if (Status st = checkBytes(artifact, bytes); !st.isOk()) {
    componentLogger(LogComponent::kAgentContent)
        ->warn("{} damaged on disk, deleted: {}", file, st.message());
    deleteQuietly(file);
    return st;
  }
  return bytes;
}

bool ArtifactStore::holdsVerified(const v1::Artifact& artifact) const {
  const std::string file = path(artifact);
  Status st = verifyFile(file, artifact);
  if (st.code() == ErrorCode::kArtifactHash) {
    componentLogger(LogComponent::kAgentContent)
        ->warn("{} damaged on disk, deleted: {}", file, st.message());
    deleteQuietly(file);
  }
  return st.isOk();
}

Status ArtifactStore::commitPart(const v1::Artifact& artifact) const {
  const std::string part = partPath(artifact);
  Status st = verifyFile(part, artifact);
  if (!st.isOk()) {
    if (st.code() == ErrorCode::kArtifactHash) deleteQuietly(part);
    return st;
  }
  const std::string final_path = path(artifact);
  if (Status moved = renamePath(part, final_path); !moved.isOk()) {
    return Status(ErrorCode::kIo, moved.message(), moved.sysErrno());
  }
  return fsyncDir(dir_);
}

Status ArtifactStore::put(const v1::Artifact& artifact, std::string_view bytes) const {
  XIAOAN_RETURN_IF_ERROR(checkBytes(artifact, bytes));
  return atomicWriteFile(path(artifact), bytes, 0600);
}

size_t ArtifactStore::collectGarbage(const std::set<std::string>& keep) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  size_t deleted = 0;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::string hex = name;
    if (hex.ends_with(kPartSuffix)) hex.resize(hex.size() - kPartSuffix.size());
    if (keep.count(hex) != 0) continue;
    deleteQuietly(it->path().string());
    ++deleted;
  }
  if (deleted > 0) {
    componentLogger(LogComponent::kAgentContent)
        ->info("deleted {} artifact files no longer named", deleted);
  }
  return deleted;
}

}  // namespace xiaoan::agent::content
