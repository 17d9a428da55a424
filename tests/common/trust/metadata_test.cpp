#include "common/trust/metadata.h"

#include <doctest/doctest.h>

#include "tests/support/trust_fixture.h"

namespace xiaoan::trust {
namespace {

using testing::TrustFixture;

TEST_CASE("Ed25519 keys round-trip through PEM and sign verifiably") {
  auto key = testing::newKey();
  auto pem = key.privatePem();
  REQUIRE(pem.isOk());
  auto back = crypto::SigningKey::fromPem(*pem);
  REQUIRE(back.isOk());
  CHECK(back->keyId() == key.keyId());
  CHECK(key.keyId().size() == 64);
  auto sig = key.sign("hello");
  REQUIRE(sig.isOk());
  CHECK(crypto::ed25519Verify(key.publicRaw(), "hello", *sig));
  CHECK_FALSE(crypto::ed25519Verify(key.publicRaw(), "hellO", *sig));
  CHECK_FALSE(crypto::ed25519Verify(key.publicRaw().substr(1), "hello", *sig));
  CHECK_FALSE(crypto::SigningKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n").isOk());
}

TEST_CASE("signatures are bound to the role") {
  CHECK(signingMessage(v1::ROLE_CONTENT, "x") != signingMessage(v1::ROLE_TIMESTAMP, "x"));
  TrustFixture f;
  auto root = f.rootMeta(1);
  auto env = TrustFixture::sign(v1::ROLE_CONTENT, f.contentTargets(1, 1), {&f.content});
  CHECK(verifyRole(env, v1::ROLE_CONTENT, root).isOk());
  CHECK(verifyRole(env, v1::ROLE_RELEASE, root).code() == ErrorCode::kMetaSignature);
  // addSignature replaces a key's earlier signature instead of adding a second one.
  REQUIRE(addSignature(env, v1::ROLE_CONTENT, f.content).isOk());
  CHECK(env.signatures_size() == 1);
}

TEST_CASE("structural checks of root metadata") {
  TrustFixture f;
  auto root = f.rootMeta(1);
  CHECK(parseRoot(serializeDeterministic(root)).isOk());
  auto bad_threshold = root;
  bad_threshold.mutable_roles(0)->set_threshold(2);
  CHECK(parseRoot(serializeDeterministic(bad_threshold)).status().code() ==
        ErrorCode::kMetaInvalid);
  auto bad_id = root;
  bad_id.mutable_keys(0)->set_key_id(std::string(64, 'a'));
  CHECK_FALSE(parseRoot(serializeDeterministic(bad_id)).isOk());
  auto missing_role = root;
  missing_role.mutable_roles()->RemoveLast();
  CHECK_FALSE(parseRoot(serializeDeterministic(missing_role)).isOk());
  CHECK_FALSE(parseRoot("\xff\xff\xff").isOk());
  CHECK_FALSE(parseRoot(std::string(kMaxEnvelopeBytes + 1, '\0')).isOk());
}

TEST_CASE("structural checks of targets and timestamps") {
  TrustFixture f;
  auto t = f.contentTargets(1, 1);
  CHECK(parseTargets(serializeDeterministic(t)).isOk());
  auto dup = t;
  *dup.add_artifacts() = t.artifacts(0);
  CHECK_FALSE(parseTargets(serializeDeterministic(dup)).isOk());
  auto short_hash = t;
  short_hash.mutable_artifacts(0)->set_sha256("abc");
  CHECK_FALSE(parseTargets(serializeDeterministic(short_hash)).isOk());
  auto env = TrustFixture::sign(v1::ROLE_CONTENT, t, {&f.content});
  auto ts = f.timestampFor(1, env, 1);
  CHECK(parseTimestamp(serializeDeterministic(ts)).isOk());
  *ts.add_targets() = ts.targets(0);
  CHECK_FALSE(parseTimestamp(serializeDeterministic(ts)).isOk());
}

TEST_CASE("channel rejections are the metadata codes, not failures to get an update") {
  for (ErrorCode code :
       {ErrorCode::kMetaSignature, ErrorCode::kMetaRollback, ErrorCode::kMetaExpired,
        ErrorCode::kMetaMismatch, ErrorCode::kMetaInvalid, ErrorCode::kRootChain}) {
    CHECK(isChannelRejection(code));
  }
  for (ErrorCode code : {ErrorCode::kOk, ErrorCode::kTimeout, ErrorCode::kCollectorUnreachable,
                         ErrorCode::kIo, ErrorCode::kArtifactHash}) {
    CHECK_FALSE(isChannelRejection(code));
  }
}

}  // namespace
}  // namespace xiaoan::trust
