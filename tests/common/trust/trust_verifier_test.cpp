#include "common/trust/trust_verifier.h"

#include <doctest/doctest.h>

#include "tests/support/trust_fixture.h"

namespace xiaoan::trust {
namespace {

using testing::TrustFixture;
using Hours = std::chrono::hours;

ErrorCode codeOf(const Result<UpdateOutcome>& r) {
  return r.isOk() ? ErrorCode::kOk : r.status().code();
}

// Applies `u` and returns the new state (the test fails when the update is rejected).
v1::TrustState accept(const v1::TrustState& state, const v1::TrustUpdate& u,
                      const UpdateOptions& o) {
  auto r = applyUpdate(state, u, o);
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  return r->state;
}

TEST_CASE("a pinned root must verify against its own threshold") {
  TrustFixture f;
  CHECK(stateFromPinnedRoot(f.signedRoot(1)).isOk());
  auto tampered = f.signedRoot(1);
  tampered.mutable_payload()->back() ^= 1;
  auto r = stateFromPinnedRoot(tampered);
  CHECK_FALSE(r.isOk());
  v1::TrustUpdate empty;
  CHECK(codeOf(applyUpdate(v1::TrustState{}, empty, f.options())) == ErrorCode::kTrustRootMissing);
}

TEST_CASE("a valid update is accepted, raises the time floor, and is idempotent") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto r = applyUpdate(state, f.update(1, 1), f.options());
  REQUIRE(r.isOk());
  CHECK(r->changed);
  auto again = applyUpdate(r->state, f.update(1, 1), f.options());
  REQUIRE(again.isOk());
  // Signing is deterministic for Ed25519, so the same metadata re-signed is the same bytes.
  CHECK_FALSE(again->changed);
  auto s = summarize(r->state, f.now);
  REQUIRE(s.isOk());
  CHECK(s->root_version == 1);
  CHECK(s->timestamp_version == 1);
  CHECK(s->content_targets_version == 1);
  REQUIRE(s->content.has_value());
  CHECK(s->content->artifacts(0).version() == 1);
  CHECK_FALSE(s->stale);
}

TEST_CASE("U1/U7: targets that do not match the timestamp's hash are rejected") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto u = f.update(1, 1);
  // Content signed correctly but not what the timestamp names (mix-and-match).
  *u.mutable_content_targets() =
      f.sign(v1::ROLE_CONTENT, f.contentTargets(1, 2, "other policy"), {&f.content});
  CHECK(codeOf(applyUpdate(state, u, f.options())) == ErrorCode::kMetaMismatch);
  // A flipped byte in the payload.
  auto tampered = f.update(1, 1);
  tampered.mutable_content_targets()->mutable_payload()->back() ^= 1;
  CHECK(codeOf(applyUpdate(state, tampered, f.options())) == ErrorCode::kMetaMismatch);
}

TEST_CASE("U2/U3: wrong-role and unknown-key signatures are rejected") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto wrong_role = f.update(1, 1);
  // The payload is unchanged (so the timestamp still matches) but signed by the timestamp key.
  *wrong_role.mutable_content_targets() =
      *signPayload(v1::ROLE_CONTENT, wrong_role.content_targets().payload(),
                   std::vector<const crypto::SigningKey*>{&f.timestamp});
  CHECK(codeOf(applyUpdate(state, wrong_role, f.options())) == ErrorCode::kMetaSignature);

  auto stranger = testing::newKey();
  auto unknown = f.update(1, 1);
  *unknown.mutable_content_targets() =
      *signPayload(v1::ROLE_CONTENT, unknown.content_targets().payload(),
                   std::vector<const crypto::SigningKey*>{&stranger});
  CHECK(codeOf(applyUpdate(state, unknown, f.options())) == ErrorCode::kMetaSignature);

  // The right key but the signature made for another role does not verify either.
  auto cross = f.update(1, 1);
  *cross.mutable_timestamp() = *signPayload(v1::ROLE_CONTENT, cross.timestamp().payload(),
                                            std::vector<const crypto::SigningKey*>{&f.timestamp});
  CHECK(codeOf(applyUpdate(state, cross, f.options())) == ErrorCode::kMetaSignature);
}

TEST_CASE("content targets may not name an agent release (role confusion)") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto targets = f.contentTargets(1, 1);
  auto* a = targets.add_artifacts();
  a->set_kind(v1::ARTIFACT_KIND_AGENT_RELEASE);
  a->set_name("xiaoan-agent.deb");
  a->set_version(9);
  a->set_sha256(crypto::sha256("evil"));
  v1::TrustUpdate u;
  *u.mutable_content_targets() = f.sign(v1::ROLE_CONTENT, targets, {&f.content});
  f.resignTimestamp(u, 1, 1);
  CHECK(codeOf(applyUpdate(state, u, f.options())) == ErrorCode::kMetaMismatch);
}

TEST_CASE("U4: older or equivocating metadata is a rollback") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(5, 5, 5), f.options());
  CHECK(codeOf(applyUpdate(state, f.update(4, 5, 5), f.options())) == ErrorCode::kMetaRollback);
  CHECK(codeOf(applyUpdate(state, f.update(6, 4, 5), f.options())) == ErrorCode::kMetaRollback);
  CHECK(codeOf(applyUpdate(state, f.update(6, 6, 4), f.options())) == ErrorCode::kMetaRollback);
  // Same version, different content.
  f.now += Hours(1);
  auto later = f.update(5, 5, 5);
  CHECK(codeOf(applyUpdate(state, later, f.options())) == ErrorCode::kMetaRollback);
  CHECK(applyUpdate(state, f.update(6, 6, 6), f.options()).isOk());
}

TEST_CASE("U5/U6: expired metadata blocks updates unless it came from an offline bundle") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(1, 1), f.options());
  auto frozen = f.update(1, 1);
  auto o = f.options();
  o.wall_now = f.now + Hours(24 * 8);  // past the 7-day timestamp
  auto r = applyUpdate(state, frozen, o);
  CHECK(codeOf(r) == ErrorCode::kMetaExpired);
  auto s = summarize(state, o.wall_now);
  REQUIRE(s.isOk());
  CHECK(s->stale);
  o.offline = true;
  auto offline = applyUpdate(state, frozen, o);
  REQUIRE(offline.isOk());
  CHECK(offline->waived.size() == 1);
}

TEST_CASE("T1: expiry is judged by max(wall clock, newest signed time)") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(1, 1), f.options());
  // The clock jumps a year back: metadata signed "in the future" stays valid, and the floor
  // keeps the old clock from resurrecting anything that expired by then.
  auto o = f.options();
  o.wall_now = f.now - Hours(24 * 365);
  CHECK(timeFloor(state, o.wall_now) == f.now);
  CHECK(applyUpdate(state, f.update(2, 2), o).isOk());
  auto s = summarize(state, o.wall_now);
  REQUIRE(s.isOk());
  CHECK_FALSE(s->stale);
  // Three years ahead: everything is stale.
  auto ahead = summarize(state, f.now + Hours(24 * 365 * 3));
  REQUIRE(ahead.isOk());
  CHECK(ahead->stale);
}

TEST_CASE("U7: metadata issued to another agent is rejected") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto o = f.options();
  o.agent_id = "agent-2";
  CHECK(codeOf(applyUpdate(state, f.update(1, 1), o)) == ErrorCode::kMetaMismatch);
  // A timestamp for agent-2 wrapping agent-1's targets.
  auto u = f.update(1, 1);
  auto ts = f.timestampFor(1, u.content_targets(), 1);
  ts.set_agent_id("agent-2");
  *u.mutable_timestamp() = f.sign(v1::ROLE_TIMESTAMP, ts, {&f.timestamp});
  CHECK(codeOf(applyUpdate(state, u, o)) == ErrorCode::kMetaMismatch);
}

TEST_CASE("U9: root rotation must be N -> N+1 signed by both thresholds") {
  TrustFixture f;
  auto state = f.pinnedState();
  std::vector<crypto::SigningKey> old_keys;
  for (auto& k : f.root_keys) old_keys.push_back(std::move(k));
  f.root_keys.clear();
  f.root_keys.push_back(testing::newKey());
  std::vector<const crypto::SigningKey*> both{&old_keys[0], &f.root_keys[0]};
  auto v2 = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(2), both);
  auto v3 = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(3), f.rootSigners());

  v1::TrustUpdate skip;
  *skip.add_roots() = v3;
  CHECK(codeOf(applyUpdate(state, skip, f.options())) == ErrorCode::kRootChain);

  v1::TrustUpdate only_new;
  *only_new.add_roots() = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(2), f.rootSigners());
  CHECK(codeOf(applyUpdate(state, only_new, f.options())) == ErrorCode::kRootChain);

  v1::TrustUpdate only_old;
  *only_old.add_roots() = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(2), {&old_keys[0]});
  CHECK(codeOf(applyUpdate(state, only_old, f.options())) == ErrorCode::kRootChain);

  v1::TrustUpdate chain;
  *chain.add_roots() = f.signedRoot(1);  // older versions are skipped
  *chain.add_roots() = v2;
  *chain.add_roots() = v3;
  auto r = applyUpdate(state, chain, f.options());
  REQUIRE(r.isOk());
  CHECK(r->root_version_before == 1);
  CHECK(r->root_version_after == 3);
  CHECK_FALSE(r->content_keys_rotated);
}

TEST_CASE("U9: fast-forward recovery forgets versions trusted under rotated keys") {
  TrustFixture f;
  // An attacker holding the content and timestamp keys pushes huge versions.
  auto state =
      accept(f.pinnedState(), f.update(1'000'000'000, 1'000'000'000, 1'000'000'000), f.options());
  CHECK(codeOf(applyUpdate(state, f.update(7, 7, 7), f.options())) == ErrorCode::kMetaRollback);
  // The admin rotates the content and timestamp keys in root v2.
  f.content = testing::newKey();
  f.timestamp = testing::newKey();
  auto u = f.update(7, 7, 7);
  *u.add_roots() = f.signedRoot(2);
  auto r = applyUpdate(state, u, f.options());
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->content_keys_rotated);
  CHECK(r->timestamp_keys_rotated);
  auto s = summarize(r->state, f.now);
  REQUIRE(s.isOk());
  CHECK(s->content_targets_version == 7);
}

TEST_CASE("U9: rotating only the content key also undoes a content fast-forward") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(5, 1'000'000'000, 1'000'000'000), f.options());
  CHECK(codeOf(applyUpdate(state, f.update(6, 7, 7), f.options())) == ErrorCode::kMetaRollback);
  f.content = testing::newKey();
  auto u = f.update(6, 7, 7);
  *u.add_roots() = f.signedRoot(2);
  auto r = applyUpdate(state, u, f.options());
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->content_keys_rotated);
  CHECK_FALSE(r->timestamp_keys_rotated);
  // The timestamp's own version still may not go down.
  auto older_ts = f.update(4, 7, 7);
  *older_ts.add_roots() = f.signedRoot(2);
  CHECK(codeOf(applyUpdate(state, older_ts, f.options())) == ErrorCode::kMetaRollback);
}

TEST_CASE("U9: a content key rotation that arrives without a timestamp still undoes the pin") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(5, 1'000'000'000, 1'000'000'000), f.options());
  f.content = testing::newKey();
  // The new root reaches the agent alone (a mirror dropped the rest of the answer).
  v1::TrustUpdate roots_only;
  *roots_only.add_roots() = f.signedRoot(2);
  auto rotated = applyUpdate(state, roots_only, f.options());
  REQUIRE(rotated.isOk());
  CHECK(rotated->content_keys_rotated);
  // The trusted timestamp v5 still names content v10^9, signed by the forgotten key.
  auto r = applyUpdate(rotated->state, f.update(6, 7, 7), f.options());
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(summarize(r->state, f.now)->content_targets_version == 7);
  // The timestamp's own version still may not go down.
  CHECK(codeOf(applyUpdate(rotated->state, f.update(4, 7, 7), f.options())) ==
        ErrorCode::kMetaRollback);
}

TEST_CASE("2-of-3 root: one signature is not enough; one key signing twice counts once") {
  TrustFixture f(3, 2);
  auto one = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(1), {&f.root_keys[0]});
  CHECK_FALSE(stateFromPinnedRoot(one).isOk());
  CHECK(stateFromPinnedRoot(one).status().code() == ErrorCode::kMetaSignature);
  auto twice = one;
  *twice.add_signatures() = one.signatures(0);
  CHECK_FALSE(stateFromPinnedRoot(twice).isOk());
  CHECK(stateFromPinnedRoot(twice).status().code() == ErrorCode::kMetaSignature);
  auto two = TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(1), {&f.root_keys[0], &f.root_keys[2]});
  CHECK(stateFromPinnedRoot(two).isOk());
}

TEST_CASE("a failed update changes nothing; roots alone may advance") {
  TrustFixture f;
  auto state = accept(f.pinnedState(), f.update(2, 2), f.options());
  auto u = f.update(1, 1);
  *u.add_roots() = f.signedRoot(2);
  auto r = applyUpdate(state, u, f.options());
  CHECK(codeOf(r) == ErrorCode::kMetaRollback);
  auto s = summarize(state, f.now);
  REQUIRE(s.isOk());
  CHECK(s->root_version == 1);
  v1::TrustUpdate roots_only;
  *roots_only.add_roots() = f.signedRoot(2);
  auto advanced = applyUpdate(state, roots_only, f.options());
  REQUIRE(advanced.isOk());
  CHECK(advanced->root_version_after == 2);
  CHECK(summarize(advanced->state, f.now)->timestamp_version == 2);
}

TEST_CASE("targets must be exactly what the timestamp names") {
  TrustFixture f;
  auto state = f.pinnedState();
  auto no_timestamp = f.update(1, 1);
  no_timestamp.clear_timestamp();
  CHECK(codeOf(applyUpdate(state, no_timestamp, f.options())) == ErrorCode::kMetaMismatch);

  auto not_supplied = f.update(1, 1);
  not_supplied.clear_content_targets();
  CHECK(codeOf(applyUpdate(state, not_supplied, f.options())) == ErrorCode::kMetaMismatch);

  auto not_named = f.update(1, 1);
  auto ts = f.timestampFor(1, not_named.content_targets(), 1);
  ts.clear_targets();
  *not_named.mutable_timestamp() = f.sign(v1::ROLE_TIMESTAMP, ts, {&f.timestamp});
  CHECK(codeOf(applyUpdate(state, not_named, f.options())) == ErrorCode::kMetaMismatch);

  // The hash matches, but the timestamp names v1 of what declares itself v2.
  auto other_version = f.update(1, 2);
  f.resignTimestamp(other_version, 1, 1);
  CHECK(codeOf(applyUpdate(state, other_version, f.options())) == ErrorCode::kMetaMismatch);

  // A newer timestamp may name the trusted targets without sending them again.
  auto trusted = accept(state, f.update(1, 1), f.options());
  auto same_targets = f.update(2, 1);
  same_targets.clear_content_targets();
  auto r = applyUpdate(trusted, same_targets, f.options());
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(summarize(r->state, f.now)->timestamp_version == 2);
}

TEST_CASE("root updates: bounded, parsable, and the final root unexpired") {
  TrustFixture f;
  auto state = f.pinnedState();
  v1::TrustUpdate too_many;
  for (size_t i = 0; i <= kMaxRootsPerUpdate; ++i) *too_many.add_roots() = f.signedRoot(1);
  CHECK(codeOf(applyUpdate(state, too_many, f.options())) == ErrorCode::kMetaInvalid);

  v1::TrustUpdate garbage;
  garbage.add_roots()->set_payload("\xff\xff not a root");
  CHECK(codeOf(applyUpdate(state, garbage, f.options())) == ErrorCode::kMetaInvalid);

  auto o = f.options();
  o.wall_now = f.now + Hours(24 * 366);  // past the 1-year root
  CHECK(codeOf(applyUpdate(state, v1::TrustUpdate{}, o)) == ErrorCode::kMetaExpired);
  o.offline = true;
  auto offline = applyUpdate(state, v1::TrustUpdate{}, o);
  REQUIRE(offline.isOk());
  CHECK(offline->waived.size() == 1);
}

TEST_CASE("metadata without an expiry is malformed") {
  TrustFixture f;
  auto targets = f.contentTargets(1, 1);
  targets.clear_expires();
  v1::TrustUpdate u;
  *u.mutable_content_targets() = f.sign(v1::ROLE_CONTENT, targets, {&f.content});
  f.resignTimestamp(u, 1, 1);
  CHECK(codeOf(applyUpdate(f.pinnedState(), u, f.options())) == ErrorCode::kMetaInvalid);
}

TEST_CASE("a damaged trusted copy fails the update instead of skipping the rollback check") {
  TrustFixture f;
  const auto state = accept(f.pinnedState(), f.update(5, 5, 5), f.options());
  // Timestamp and content targets damaged: an update back to v1 must not pass unchecked.
  auto damaged = state;
  damaged.mutable_timestamp()->set_payload("\xff\xff damaged");
  damaged.mutable_content_targets()->set_payload("\xff\xff damaged");
  auto r = applyUpdate(damaged, f.update(1, 1, 1), f.options());
  CHECK(codeOf(r) == ErrorCode::kMetaInvalid);
  CHECK(r.status().message().find("trusted") != std::string::npos);
  // Only the content targets damaged: the policy may not go back from v5 to v1.
  auto content_damaged = state;
  content_damaged.mutable_content_targets()->set_payload("\xff\xff damaged");
  CHECK(codeOf(applyUpdate(content_damaged, f.update(6, 6, 1), f.options())) ==
        ErrorCode::kMetaInvalid);
}

}  // namespace
}  // namespace xiaoan::trust
