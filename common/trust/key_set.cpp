#include "common/trust/key_set.h"

#include <algorithm>

#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"
#include "platform/file.h"
#include "platform/file_util.h"

namespace xiaoan::trust {
namespace {

constexpr size_t kKeyIdPrefix = 16;
constexpr uint64_t kMaxChainLength = 1000;

}  // namespace

std::string KeyDir::rootVersionFile(uint64_t version) const {
  return rootsDir() + "/" + std::to_string(version) + ".pb";
}

std::string KeyDir::roleKeyFile(v1::Role role) const {
  return keysDir() + "/" + std::string(roleName(role)) + ".key";
}

std::string KeyDir::rootKeyFile(const std::string& key_id) const {
  return keysDir() + "/root-" + key_id.substr(0, kKeyIdPrefix) + ".key";
}

Result<v1::SignedEnvelope> readEnvelopeFile(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(path, kMaxEnvelopeBytes + 64 * 1024));
  auto envelope = parseEnvelope(bytes);
  if (!envelope.isOk()) {
    return Status(envelope.status().code(), path + ": " + envelope.status().message());
  }
  return envelope;
}

Status writeEnvelopeFile(const std::string& path, const v1::SignedEnvelope& envelope) {
  return atomicWriteFile(path, serializeDeterministic(envelope), 0644);
}

Status writeKeyFile(const std::string& path, const crypto::SigningKey& key) {
  XIAOAN_ASSIGN_OR_RETURN(std::string pem, key.privatePem());
  return atomicWriteFile(path, pem, 0600);
}

Status verifyRootChain(const std::vector<v1::SignedEnvelope>& chain) {
  if (chain.empty()) return Status(ErrorCode::kNotFound, "no root metadata");
  XIAOAN_ASSIGN_OR_RETURN(v1::TrustState state, stateFromPinnedRoot(chain.front()));
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata first, parseRoot(chain.front().payload()));
  if (first.version() != 1) return Status(ErrorCode::kRootChain, "the chain must start at v1");
  v1::TrustUpdate update;
  for (size_t i = 1; i < chain.size(); ++i) {
    XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata root, parseRoot(chain[i].payload()));
    if (root.version() != i + 1) {
      return Status(ErrorCode::kRootChain, "root file " + std::to_string(i + 1) +
                                               " holds version " + std::to_string(root.version()));
    }
    *update.add_roots() = chain[i];
  }
  // Offline: a chain is judged by its signatures; expiry matters only to agents.
  UpdateOptions options{"", std::chrono::system_clock::now(), true};
  auto outcome = applyUpdate(state, update, options);
  return outcome.isOk() ? Status::ok() : outcome.status();
}

Result<std::vector<v1::SignedEnvelope>> loadRootChain(const std::string& roots_dir) {
  std::vector<v1::SignedEnvelope> chain;
  for (uint64_t v = 1; v <= kMaxChainLength; ++v) {
    const std::string path = roots_dir + "/" + std::to_string(v) + ".pb";
    auto envelope = readEnvelopeFile(path);
    if (!envelope.isOk()) {
      if (envelope.status().code() == ErrorCode::kNotFound) break;
      return envelope.status();
    }
    chain.push_back(std::move(*envelope));
  }
  if (chain.empty()) return Status(ErrorCode::kNotFound, roots_dir + "/1.pb not found");
  XIAOAN_RETURN_IF_ERROR(verifyRootChain(chain));
  return chain;
}

std::vector<crypto::SigningKey> loadRootKeys(const std::string& keys_dir) {
  std::vector<crypto::SigningKey> keys;
  auto names = listDir(keys_dir);
  if (!names.isOk()) return keys;
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (name.rfind("root-", 0) != 0 || name.size() < 9 ||
        name.compare(name.size() - 4, 4, ".key") != 0) {
      continue;
    }
    auto key = crypto::SigningKey::load(keys_dir + "/" + name);
    if (key.isOk()) keys.push_back(std::move(*key));
  }
  return keys;
}

}  // namespace xiaoan::trust
