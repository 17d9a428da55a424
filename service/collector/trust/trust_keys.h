#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/ed25519.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::collector {

// The collector's part of the key set, under <data_dir>/trust/ (DESIGN.md §6):
//   roots/<v>.pb     every root version (handed to agents that are behind)
//   content.key      content role key (signs policy and signature bundles)
//   timestamp.key    timestamp role key (signs freshness)
// Root and release private keys never come here.
struct CollectorKeys {
  std::vector<v1::SignedEnvelope> roots;  // index 0 = version 1, verified chain
  crypto::SigningKey content;
  crypto::SigningKey timestamp;
};

struct KeysImportOutcome {
  uint64_t root_version = 0;
  size_t roots_added = 0;
  std::string content_key_id;
  std::string timestamp_key_id;
};

// `xiaoan-collector keys import --data-dir D --from DIR`: copies the root chain and the content
// and timestamp keys of a key directory (trust::KeyDir). Refuses a chain that does not verify,
// a chain that does not extend the one already imported (another trust anchor), and keys that
// the newest root does not name for their role.
Result<KeysImportOutcome> importKeys(const std::string& data_dir, const std::string& from);

// Loads <data_dir>/trust; nullopt when no keys were imported yet. Any inconsistency is an error
// (the collector must not sign with keys agents would reject).
Result<std::optional<CollectorKeys>> loadCollectorKeys(const std::string& data_dir);

}  // namespace xiaoan::collector
