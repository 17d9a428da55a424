#include "common/trust/metadata.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <set>

#include "platform/file_util.h"

namespace xiaoan::trust {
namespace {

constexpr std::string_view kDomain = "xiaoan-meta-v1\n";
constexpr size_t kKeyBytes = 32;
constexpr size_t kHashBytes = 32;
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kMaxDeploymentBytes = 256;

Status invalid(std::string message) { return Status(ErrorCode::kMetaInvalid, std::move(message)); }

template <typename T>
Result<T> parseBounded(std::string_view payload, std::string_view what) {
  if (payload.size() > kMaxEnvelopeBytes) {
    return invalid(std::string(what) + " larger than " + std::to_string(kMaxEnvelopeBytes));
  }
  T message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return invalid(std::string(what) + " does not parse");
  }
  return message;
}

bool validRole(v1::Role role) {
  return role == v1::ROLE_ROOT || role == v1::ROLE_RELEASE || role == v1::ROLE_CONTENT ||
         role == v1::ROLE_TIMESTAMP;
}

Status checkKeys(const v1::RootMetadata& root, std::set<std::string>& ids) {
  if (root.keys_size() == 0 || static_cast<size_t>(root.keys_size()) > kMaxKeys) {
    return invalid("root must list 1.." + std::to_string(kMaxKeys) + " keys");
  }
  for (const auto& key : root.keys()) {
    if (key.ed25519().size() != kKeyBytes) return invalid("root key is not 32 bytes");
    if (crypto::keyIdOf(key.ed25519()) != key.key_id()) {
      return invalid("root key id " + key.key_id() + " is not the SHA-256 of its key");
    }
    if (!ids.insert(key.key_id()).second)
      return invalid("root lists key " + key.key_id() + " twice");
  }
  return Status::ok();
}

Status checkRoles(const v1::RootMetadata& root, const std::set<std::string>& ids) {
  std::set<int> seen;
  for (const auto& role : root.roles()) {
    const std::string name(roleName(role.role()));
    if (!validRole(role.role())) return invalid("root has a role entry without a valid role");
    if (!seen.insert(role.role()).second) return invalid("root lists role " + name + " twice");
    std::set<std::string> unique(role.key_ids().begin(), role.key_ids().end());
    if (unique.size() != static_cast<size_t>(role.key_ids_size())) {
      return invalid("role " + name + " lists a key twice");
    }
    for (const auto& id : role.key_ids()) {
      if (!ids.count(id)) return invalid("role " + name + " names unknown key " + id);
    }
    if (role.threshold() == 0 || role.threshold() > static_cast<uint32_t>(role.key_ids_size())) {
      return invalid("role " + name + " has threshold " + std::to_string(role.threshold()) +
                     " for " + std::to_string(role.key_ids_size()) + " keys");
    }
  }
  if (seen.size() != 4) return invalid("root must define root, release, content and timestamp");
  return Status::ok();
}

Status checkArtifacts(const v1::TargetsMetadata& targets) {
  if (static_cast<size_t>(targets.artifacts_size()) > kMaxArtifacts) {
    return invalid("targets list more than " + std::to_string(kMaxArtifacts) + " artifacts");
  }
  std::set<std::pair<int, std::string>> seen;
  for (const auto& a : targets.artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_UNSPECIFIED || !v1::ArtifactKind_IsValid(a.kind())) {
      return invalid("artifact without a valid kind");
    }
    if (a.name().empty() || a.name().size() > kMaxNameBytes) {
      return invalid("artifact name empty or longer than 128 bytes");
    }
    if (a.sha256().size() != kHashBytes) return invalid("artifact " + a.name() + " hash size");
    if (a.length() > kMaxArtifactBytes) return invalid("artifact " + a.name() + " too large");
    if (!seen.emplace(a.kind(), a.name()).second) {
      return invalid("artifact " + a.name() + " listed twice");
    }
  }
  return Status::ok();
}

}  // namespace

std::string_view roleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_ROOT:
      return "root";
    case v1::ROLE_RELEASE:
      return "release";
    case v1::ROLE_CONTENT:
      return "content";
    case v1::ROLE_TIMESTAMP:
      return "timestamp";
    default:
      return "unspecified";
  }
}

std::string signingMessage(v1::Role role, std::string_view payload) {
  std::string m;
  const std::string_view name = roleName(role);
  m.reserve(kDomain.size() + name.size() + 1 + payload.size());
  m.append(kDomain).append(name).append("\n").append(payload);
  return m;
}

std::string serializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

Status addSignature(v1::SignedEnvelope& envelope, v1::Role role, const crypto::SigningKey& key) {
  XIAOAN_ASSIGN_OR_RETURN(std::string sig, key.sign(signingMessage(role, envelope.payload())));
  for (auto& existing : *envelope.mutable_signatures()) {
    if (existing.key_id() == key.keyId()) {
      existing.set_sig(std::move(sig));
      return Status::ok();
    }
  }
  auto* s = envelope.add_signatures();
  s->set_key_id(key.keyId());
  s->set_sig(std::move(sig));
  return Status::ok();
}

Result<v1::SignedEnvelope> signPayload(v1::Role role, std::string payload,
                                       std::span<const crypto::SigningKey* const> keys) {
  if (payload.size() > kMaxEnvelopeBytes) return invalid("payload too large to sign");
  v1::SignedEnvelope envelope;
  envelope.set_payload(std::move(payload));
  for (const auto* key : keys) XIAOAN_RETURN_IF_ERROR(addSignature(envelope, role, *key));
  return envelope;
}

Result<v1::SignedEnvelope> signMessage(v1::Role role, const google::protobuf::Message& message,
                                       std::span<const crypto::SigningKey* const> keys) {
  return signPayload(role, serializeDeterministic(message), keys);
}

const v1::RoleKeys* findRole(const v1::RootMetadata& root, v1::Role role) {
  for (const auto& r : root.roles()) {
    if (r.role() == role) return &r;
  }
  return nullptr;
}

Status verifyRole(const v1::SignedEnvelope& envelope, v1::Role role, const v1::RootMetadata& root) {
  if (envelope.payload().size() > kMaxEnvelopeBytes) return invalid("metadata too large");
  if (static_cast<size_t>(envelope.signatures_size()) > kMaxSignatures) {
    return invalid("metadata has more than " + std::to_string(kMaxSignatures) + " signatures");
  }
  const v1::RoleKeys* keys = findRole(root, role);
  if (keys == nullptr || keys->threshold() == 0) {
    return Status(ErrorCode::kMetaSignature,
                  "root defines no keys for role " + std::string(roleName(role)));
  }
  const std::string message = signingMessage(role, envelope.payload());
  std::set<std::string> valid;
  for (const auto& sig : envelope.signatures()) {
    if (valid.count(sig.key_id())) continue;
    bool allowed = false;
    for (const auto& id : keys->key_ids()) allowed = allowed || id == sig.key_id();
    if (!allowed) continue;
    for (const auto& key : root.keys()) {
      if (key.key_id() == sig.key_id() &&
          crypto::ed25519Verify(key.ed25519(), message, sig.sig())) {
        valid.insert(sig.key_id());
      }
    }
  }
  if (valid.size() < keys->threshold()) {
    return Status(ErrorCode::kMetaSignature, std::string(roleName(role)) + " metadata has " +
                                                 std::to_string(valid.size()) +
                                                 " valid signature(s) by its role's keys; " +
                                                 std::to_string(keys->threshold()) + " required");
  }
  return Status::ok();
}

Result<v1::RootMetadata> parseRoot(std::string_view payload) {
  XIAOAN_ASSIGN_OR_RETURN(auto root, parseBounded<v1::RootMetadata>(payload, "root metadata"));
  if (root.version() == 0) return invalid("root version 0");
  if (root.deployment().size() > kMaxDeploymentBytes) return invalid("root deployment too long");
  std::set<std::string> ids;
  XIAOAN_RETURN_IF_ERROR(checkKeys(root, ids));
  XIAOAN_RETURN_IF_ERROR(checkRoles(root, ids));
  return root;
}

Result<v1::TargetsMetadata> parseTargets(std::string_view payload) {
  XIAOAN_ASSIGN_OR_RETURN(auto targets,
                          parseBounded<v1::TargetsMetadata>(payload, "targets metadata"));
  if (targets.version() == 0) return invalid("targets version 0");
  if (targets.role() != v1::ROLE_CONTENT && targets.role() != v1::ROLE_RELEASE) {
    return invalid("targets metadata must be of role content or release");
  }
  if (targets.agent_id().size() > kMaxNameBytes) return invalid("targets agent id too long");
  XIAOAN_RETURN_IF_ERROR(checkArtifacts(targets));
  return targets;
}

Result<v1::TimestampMetadata> parseTimestamp(std::string_view payload) {
  XIAOAN_ASSIGN_OR_RETURN(auto ts,
                          parseBounded<v1::TimestampMetadata>(payload, "timestamp metadata"));
  if (ts.version() == 0) return invalid("timestamp version 0");
  if (ts.agent_id().size() > kMaxNameBytes) return invalid("timestamp agent id too long");
  std::set<int> roles;
  for (const auto& ref : ts.targets()) {
    if (ref.role() != v1::ROLE_CONTENT && ref.role() != v1::ROLE_RELEASE) {
      return invalid("timestamp names targets of a role other than content or release");
    }
    if (!roles.insert(ref.role()).second) return invalid("timestamp names a role twice");
    if (ref.sha256().size() != kHashBytes || ref.version() == 0) {
      return invalid("timestamp reference without version or 32-byte hash");
    }
  }
  return ts;
}

v1::MetaRef metaRefOf(v1::Role role, uint64_t version, std::string_view payload) {
  v1::MetaRef ref;
  ref.set_role(role);
  ref.set_version(version);
  ref.set_length(payload.size());
  ref.set_sha256(crypto::sha256(payload));
  return ref;
}

Result<v1::SignedEnvelope> parseEnvelope(std::string_view bytes) {
  if (bytes.size() > kMaxEnvelopeBytes + 64 * 1024) return invalid("metadata file too large");
  v1::SignedEnvelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return invalid("metadata file does not parse");
  }
  if (static_cast<size_t>(envelope.signatures_size()) > kMaxSignatures) {
    return invalid("metadata has too many signatures");
  }
  return envelope;
}

bool isChannelRejection(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMetaSignature:
    case ErrorCode::kMetaRollback:
    case ErrorCode::kMetaExpired:
    case ErrorCode::kMetaMismatch:
    case ErrorCode::kMetaInvalid:
    case ErrorCode::kRootChain:
      return true;
    default:
      return false;
  }
}

}  // namespace xiaoan::trust
