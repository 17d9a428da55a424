#pragma once

// The fixed trust world of the metadata fuzzer and its seed generator: the keys are constants
// (test-only, published here on purpose) so that seeds signed once stay valid in every run,
// and the verifier is driven past the signature checks into version, expiry and binding logic.

#include "tests/support/trust_fixture.h"

namespace xiaoan::fuzz {

// Root key, then release, content, timestamp.
inline constexpr const char* kFixedKeys[4] = {
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEICLPDoAvMRAeHKUw14D6GqVGijSx6GZjHnIsfXmukubu\n"
    "-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJjU7oS4qesXiH6rR+SzbeHoRG0+MPTCY6Bwa8qhNV5a\n"
    "-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIGTdpTLp3ji3MxZ+oW/MdBZxJv3rb+OyFVwir9F7MSLT\n"
    "-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIPUkEqoF6HtHxMaHHHyyhjyk2z2hoogfpwLylc3CSpj3\n"
    "-----END PRIVATE KEY-----\n",
};

inline crypto::SigningKey fixedKey(int i) {
  auto key = crypto::SigningKey::fromPem(kFixedKeys[i]);
  if (!key.isOk()) std::abort();
  return std::move(*key);
}

// A TrustFixture over the fixed keys; agent "agent-1", now = 1'800'000'000.
inline const testing::TrustFixture& world() {
  static const testing::TrustFixture* w = [] {
    auto* f = new testing::TrustFixture(1, 1);
    f->root_keys[0] = fixedKey(0);
    f->release = fixedKey(1);
    f->content = fixedKey(2);
    f->timestamp = fixedKey(3);
    return f;
  }();
  return *w;
}

// Root v1 only, and root v1 + timestamp v5 + content targets v5 (policy v3).
inline const v1::TrustState& pinnedState() {
  static const v1::TrustState s = world().pinnedState();
  return s;
}
inline const v1::TrustState& establishedState() {
  static const v1::TrustState s = [] {
    auto out = trust::applyUpdate(pinnedState(), world().update(5, 5, 3), world().options());
    if (!out.isOk()) std::abort();
    return out->state;
  }();
  return s;
}

// Replaces every signature in `u` with one by the fixed key of the envelope's role.
inline void resignAll(v1::TrustUpdate& u) {
  const auto& w = world();
  auto sign = [](v1::SignedEnvelope& e, v1::Role role, const crypto::SigningKey& key) {
    e.clear_signatures();
    if (!trust::addSignature(e, role, key).isOk()) std::abort();
  };
  for (auto& root : *u.mutable_roots()) sign(root, v1::ROLE_ROOT, w.root_keys[0]);
  if (u.has_timestamp()) sign(*u.mutable_timestamp(), v1::ROLE_TIMESTAMP, w.timestamp);
  if (u.has_content_targets()) sign(*u.mutable_content_targets(), v1::ROLE_CONTENT, w.content);
  if (u.has_release_targets()) sign(*u.mutable_release_targets(), v1::ROLE_RELEASE, w.release);
}

// Points the timestamp's references at the targets payloads `u` carries (when it parses).
inline void fixReferences(v1::TrustUpdate& u) {
  v1::TimestampMetadata ts;
  if (!ts.ParseFromString(u.timestamp().payload())) return;
  for (auto& ref : *ts.mutable_targets()) {
    const bool content = ref.role() == v1::ROLE_CONTENT;
    const bool present = content ? u.has_content_targets() : u.has_release_targets();
    if (!present) continue;
    const std::string& payload =
        content ? u.content_targets().payload() : u.release_targets().payload();
    v1::TargetsMetadata t;
    const uint64_t version = t.ParseFromString(payload) ? t.version() : ref.version();
    ref = trust::metaRefOf(ref.role(), version, payload);
  }
  u.mutable_timestamp()->set_payload(trust::serializeDeterministic(ts));
}

}  // namespace xiaoan::fuzz
