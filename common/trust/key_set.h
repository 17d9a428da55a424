#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/crypto/ed25519.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::trust {

// Layout of a key directory made by `xiaoan-admin keys init` (the county's offline key set):
//   root.pb              the newest root (what agents pin, installed next to the CA bundle)
//   roots/<v>.pb         every root version, the chain agents walk on rotation
//   keys/root-<id>.key   root private keys (offline; id = first 16 hex of the key id)
//   keys/release.key     release role key (offline)
//   keys/content.key     content role key (imported into the collector)
//   keys/timestamp.key   timestamp role key (imported into the collector)
struct KeyDir {
  std::string dir;

  std::string rootFile() const { return dir + "/root.pb"; }
  std::string rootsDir() const { return dir + "/roots"; }
  std::string keysDir() const { return dir + "/keys"; }
  std::string rootVersionFile(uint64_t version) const;
  std::string roleKeyFile(v1::Role role) const;
  std::string rootKeyFile(const std::string& key_id) const;
};

// <roots_dir>/<v>.pb for v = 1, 2, ... until one is missing, each verified: 1 by its own
// threshold, N+1 by the thresholds of N and of itself (expiry is not checked). E_NOT_FOUND
// when there is no 1.pb; E_ROOT_CHAIN / E_META_* when the chain does not verify.
Result<std::vector<v1::SignedEnvelope>> loadRootChain(const std::string& roots_dir);

// The same checks on a chain in memory (index 0 = version 1).
Status verifyRootChain(const std::vector<v1::SignedEnvelope>& chain);

// Envelope files (bounded reads; atomic, world-readable writes: metadata is public).
Result<v1::SignedEnvelope> readEnvelopeFile(const std::string& path);
Status writeEnvelopeFile(const std::string& path, const v1::SignedEnvelope& envelope);

// Private key files: PKCS#8 PEM, written 0600 atomically.
Status writeKeyFile(const std::string& path, const crypto::SigningKey& key);

// Every keys/root-*.key in `keys_dir` (unreadable or foreign files are skipped).
std::vector<crypto::SigningKey> loadRootKeys(const std::string& keys_dir);

}  // namespace xiaoan::trust
