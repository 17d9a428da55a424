#pragma once

// Operations of the test-only forging tool (xiaoan-trust-forge): each rewrites one TrustUpdate
// the way an attacker between the collector and an agent could (RELIABILITY.md U1-U12).
// Nothing here verifies anything; the agent under test must.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::forge {

// Where a reissued policy artifact goes: a directory the collector serves
// (<data>/artifacts/sha256/<hex>) and/or the artifact list of an offline bundle.
struct ArtifactSink {
  std::string dir;  // empty: not written to disk
  google::protobuf::RepeatedPtrField<v1::BundleArtifact>* bundle = nullptr;  // may be null
};

struct ReissueOptions {
  std::string content_key;                    // PEM file signing the content targets
  std::string timestamp_key;                  // PEM file signing the timestamp
  std::optional<uint64_t> targets_version;    // default: current + 1
  std::optional<uint64_t> timestamp_version;  // default: current + 1
  std::optional<int64_t> expires_in_seconds;  // default: unchanged expiry
  // Replace the POLICY artifact: a PolicyDocument from JSON (proto field names), or raw bytes.
  std::string policy_json_file;
  std::string policy_raw_file;
  uint64_t policy_version = 0;
  std::string terminal_id;
  ArtifactSink sink;
};

// Signatures of one part ("root", "timestamp", "content") replaced by one from `key_file`,
// made for `sign_role` (default: the part's own role).
Status resign(v1::TrustUpdate& update, const std::string& part, const std::string& key_file,
              const std::string& sign_role);

// Valid-looking, correctly signed (by the given keys) timestamp and content targets.
Status reissue(v1::TrustUpdate& update, const ReissueOptions& options);

// Drops every root whose version is in `versions` (empty: all roots).
void dropRoots(v1::TrustUpdate& update, const std::vector<uint64_t>& versions);

// Keeps only the root of version `version`.
void keepRoot(v1::TrustUpdate& update, uint64_t version);

// This update's timestamp with the content targets of `other`.
void splice(v1::TrustUpdate& update, const v1::TrustUpdate& other);

// One line of JSON describing an update (versions, agent ids, artifacts) for test assertions.
std::string describe(const v1::TrustUpdate& update);

// Generates an Ed25519 key and writes it as PKCS#8 PEM (0600).
Status generateKey(const std::string& path);

}  // namespace xiaoan::forge
