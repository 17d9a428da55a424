#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/crypto/ed25519.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::trust {

// Bounds on everything the channel parses (RELIABILITY.md P1): larger input is E_META_INVALID.
inline constexpr size_t kMaxEnvelopeBytes = 1024 * 1024;
inline constexpr size_t kMaxSignatures = 16;
inline constexpr size_t kMaxKeys = 64;
inline constexpr size_t kMaxRootsPerUpdate = 64;
inline constexpr size_t kMaxArtifacts = 256;
inline constexpr uint64_t kMaxArtifactBytes = 1ull << 30;

// "root", "release", "content", "timestamp"; "unspecified" otherwise.
std::string_view roleName(v1::Role role);

// The bytes a signature covers: "xiaoan-meta-v1\n" + roleName(role) + "\n" + payload. The role
// in the message means a signature made for one role never verifies for another.
std::string signingMessage(v1::Role role, std::string_view payload);

// Deterministic serialization (what gets signed).
std::string serializeDeterministic(const google::protobuf::Message& message);

// Signs `payload` for `role` with every key (one signature each).
Result<v1::SignedEnvelope> signPayload(v1::Role role, std::string payload,
                                       std::span<const crypto::SigningKey* const> keys);
Result<v1::SignedEnvelope> signMessage(v1::Role role, const google::protobuf::Message& message,
                                       std::span<const crypto::SigningKey* const> keys);
// Adds (or replaces) the signature of `key` on an envelope, e.g. the second of a 2-of-3 root.
Status addSignature(v1::SignedEnvelope& envelope, v1::Role role, const crypto::SigningKey& key);

// Counts distinct valid signatures of `envelope` by keys that `root` assigns to `role`.
// E_META_SIGNATURE when fewer than the role's threshold; E_META_INVALID when the envelope is
// oversized or has too many signatures.
Status verifyRole(const v1::SignedEnvelope& envelope, v1::Role role, const v1::RootMetadata& root);

// Parse a payload (after its signatures verified). E_META_INVALID when oversized, unparsable
// or structurally wrong (e.g. a root without exactly one entry per role, a threshold of 0 or
// above its key count, a key whose id is not the SHA-256 of its bytes, an artifact without a
// 32-byte hash).
Result<v1::RootMetadata> parseRoot(std::string_view payload);
Result<v1::TargetsMetadata> parseTargets(std::string_view payload);
Result<v1::TimestampMetadata> parseTimestamp(std::string_view payload);

// The role entry of a root (nullptr when absent; parseRoot guarantees presence).
const v1::RoleKeys* findRole(const v1::RootMetadata& root, v1::Role role);

// The reference a timestamp makes to targets `payload` of `version`.
v1::MetaRef metaRefOf(v1::Role role, uint64_t version, std::string_view payload);

// Serialize an envelope to a file's bytes and back (bounded by kMaxEnvelopeBytes).
Result<v1::SignedEnvelope> parseEnvelope(std::string_view bytes);

// True for the codes the metadata checks reject an update with (E_META_SIGNATURE,
// E_META_ROLLBACK, E_META_EXPIRED, E_META_MISMATCH, E_META_INVALID, E_ROOT_CHAIN): the update
// must not be used, as opposed to a failure to get it.
bool isChannelRejection(ErrorCode code);

}  // namespace xiaoan::trust
