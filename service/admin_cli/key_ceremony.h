#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::admin {

// Offline key management for the signed content channel (DESIGN.md §6). The key directory
// layout is trust::KeyDir.

struct KeyInitOptions {
  std::string out_dir;     // must not exist, or be empty
  uint32_t root_keys = 1;  // 1..9
  uint32_t threshold = 1;  // 1..root_keys
  std::string deployment;  // free text, e.g. the county bureau's name
  uint32_t expires_days = 365;
  std::chrono::system_clock::time_point now;
};

struct KeyInfo {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string key_id;
  std::string file;
};

struct KeyInitOutcome {
  uint64_t root_version = 1;
  std::vector<KeyInfo> keys;
};

// Creates the root keys, the release, content and timestamp keys and root v1 signed by every
// root key.
Result<KeyInitOutcome> initKeySet(const KeyInitOptions& options);

struct RotateRootOptions {
  std::string dir;             // a key directory made by initKeySet
  uint32_t new_root_keys = 0;  // 0..9; 0: keep every current root key (also those not in keys/)
  // New root threshold, 1..number of root keys of the new root (default: keep, capped to the
  // number of new root keys).
  std::optional<uint32_t> threshold;
  std::vector<v1::Role> rotate;  // roles that get new keys: release, content, timestamp
  uint32_t expires_days = 365;
  std::chrono::system_clock::time_point now;
};

struct RotateRootOutcome {
  uint64_t from_version = 0;
  uint64_t to_version = 0;
  std::vector<KeyInfo> new_keys;
};

// Writes root v(N+1): signed by the root keys of vN found in keys/ (at least vN's threshold)
// and by the new root keys; new keys for the roles in `rotate` (old key files are kept as
// keys/<role>.<id>.retired). Also used to renew an expiring root with the same keys.
Result<RotateRootOutcome> rotateRoot(const RotateRootOptions& options);

}  // namespace xiaoan::admin
