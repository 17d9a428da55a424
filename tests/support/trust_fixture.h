#pragma once

// Signed metadata for tests: a key set (root keys + release, content, timestamp) and builders of
// correctly signed root, timestamp and targets envelopes that tests then break on purpose.

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/crypto/ed25519.h"
#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"

namespace xiaoan::testing {

inline crypto::SigningKey newKey() { return std::move(*crypto::SigningKey::generate()); }

inline google::protobuf::Timestamp protoTime(std::chrono::system_clock::time_point t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

struct TrustFixture {
  using Clock = std::chrono::system_clock;
  using Hours = std::chrono::hours;

  std::vector<crypto::SigningKey> root_keys;
  uint32_t root_threshold = 1;
  crypto::SigningKey release = newKey();
  crypto::SigningKey content = newKey();
  crypto::SigningKey timestamp = newKey();
  std::string agent_id = "agent-1";
  Clock::time_point now = Clock::from_time_t(1'800'000'000);

  explicit TrustFixture(size_t n_root_keys = 1, uint32_t threshold = 1)
      : root_threshold(threshold) {
    for (size_t i = 0; i < n_root_keys; ++i) root_keys.push_back(newKey());
  }

  static void addKey(v1::RootMetadata& root, const crypto::SigningKey& key) {
    for (const auto& k : root.keys()) {
      if (k.key_id() == key.keyId()) return;
    }
    auto* pk = root.add_keys();
    pk->set_key_id(key.keyId());
    pk->set_ed25519(key.publicRaw());
  }

  static void addRole(v1::RootMetadata& root, v1::Role role,
                      const std::vector<const crypto::SigningKey*>& keys, uint32_t threshold) {
    auto* r = root.add_roles();
    r->set_role(role);
    r->set_threshold(threshold);
    for (const auto* k : keys) {
      addKey(root, *k);
      r->add_key_ids(k->keyId());
    }
  }

  std::vector<const crypto::SigningKey*> rootSigners() const {
    std::vector<const crypto::SigningKey*> out;
    for (const auto& k : root_keys) out.push_back(&k);
    return out;
  }

  // Root metadata over the fixture's current keys.
  v1::RootMetadata rootMeta(uint64_t version) const {
    v1::RootMetadata root;
    root.set_version(version);
    *root.mutable_issued_at() = protoTime(now);
    *root.mutable_expires() = protoTime(now + Hours(24 * 365));
    addRole(root, v1::ROLE_ROOT, rootSigners(), root_threshold);
    addRole(root, v1::ROLE_RELEASE, {&release}, 1);
    addRole(root, v1::ROLE_CONTENT, {&content}, 1);
    addRole(root, v1::ROLE_TIMESTAMP, {&timestamp}, 1);
    return root;
  }

  static v1::SignedEnvelope sign(v1::Role role, const google::protobuf::Message& m,
                                 const std::vector<const crypto::SigningKey*>& keys) {
    return std::move(*trust::signMessage(role, m, keys));
  }

  v1::SignedEnvelope signedRoot(uint64_t version) const {
    return sign(v1::ROLE_ROOT, rootMeta(version), rootSigners());
  }

  v1::TrustState pinnedState() const {
    return std::move(*trust::stateFromPinnedRoot(signedRoot(1)));
  }

  v1::TargetsMetadata contentTargets(uint64_t version, uint64_t policy_version,
                                     std::string policy_bytes = "policy") const {
    v1::TargetsMetadata t;
    t.set_role(v1::ROLE_CONTENT);
    t.set_version(version);
    *t.mutable_issued_at() = protoTime(now);
    *t.mutable_expires() = protoTime(now + Hours(24 * 30));
    t.set_agent_id(agent_id);
    auto* a = t.add_artifacts();
    a->set_kind(v1::ARTIFACT_KIND_POLICY);
    a->set_name("policy");
    a->set_version(policy_version);
    a->set_length(policy_bytes.size());
    a->set_sha256(crypto::sha256(policy_bytes));
    return t;
  }

  v1::TimestampMetadata timestampFor(uint64_t version, const v1::SignedEnvelope& targets,
                                     uint64_t targets_version) const {
    v1::TimestampMetadata ts;
    ts.set_version(version);
    *ts.mutable_issued_at() = protoTime(now);
    *ts.mutable_expires() = protoTime(now + Hours(24 * 7));
    ts.set_agent_id(agent_id);
    *ts.add_targets() = trust::metaRefOf(v1::ROLE_CONTENT, targets_version, targets.payload());
    return ts;
  }

  // A complete, valid update: timestamp v`ts_version` naming content targets v`targets_version`.
  v1::TrustUpdate update(uint64_t ts_version, uint64_t targets_version,
                         uint64_t policy_version = 1) const {
    v1::TrustUpdate u;
    *u.mutable_content_targets() =
        sign(v1::ROLE_CONTENT, contentTargets(targets_version, policy_version), {&content});
    *u.mutable_timestamp() =
        sign(v1::ROLE_TIMESTAMP, timestampFor(ts_version, u.content_targets(), targets_version),
             {&timestamp});
    return u;
  }

  // Re-signs the timestamp of `u` after its targets changed.
  void resignTimestamp(v1::TrustUpdate& u, uint64_t ts_version, uint64_t targets_version) const {
    *u.mutable_timestamp() =
        sign(v1::ROLE_TIMESTAMP, timestampFor(ts_version, u.content_targets(), targets_version),
             {&timestamp});
  }

  trust::UpdateOptions options(bool offline = false) const {
    return trust::UpdateOptions{agent_id, now, offline};
  }
};

}  // namespace xiaoan::testing
