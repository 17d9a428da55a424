#include "agent/content/content_manager.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "agent/content/offline_bundle.h"
#include "tests/agent/content/content_fixture.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyBytes;
using testing::policyUpdate;
using testing::ServedArtifacts;
using testing::TrustFixture;
using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

struct Env : testing::RecordedContent {
  TempDir dir;
  TrustFixture f;
  FakeClock clock{f.now};
  ServedArtifacts network;
  std::unique_ptr<ContentManager> manager;

  explicit Env(bool install_root = true) {
    if (install_root) installRoot();
    restart();
  }
  void installRoot() { dir.write("root.pb", f.signedRoot(1).SerializeAsString()); }
  void restart() {
    manager = std::make_unique<ContentManager>(ContentManagerOptions{dir.str(), dir.sub("root.pb")},
                                               clock, network, *this, *this);
    manager->start(f.agent_id);
  }
  // An update naming a policy document of `version` (served by the collector).
  v1::TrustUpdate update(uint64_t meta_version, uint64_t policy_version, uint32_t interval = 120) {
    const std::string bytes = policyBytes(policy_version, f.agent_id, interval);
    network.serve(crypto::sha256(bytes), bytes);
    return policyUpdate(f, meta_version, meta_version, policy_version, bytes);
  }
};

TEST_CASE("start pins the installed root; a valid update applies its policy") {
  Env e;
  CHECK(e.manager->trustVersions().root() == 1);
  CHECK(e.status.root_version() == 1);
  CHECK(e.conditions.empty());

  Status st = e.manager->handleUpdate(e.update(1, 1, 300));
  REQUIRE_MESSAGE(st.isOk(), st.toString());
  CHECK(e.intervals == std::vector<uint32_t>{300});
  CHECK(e.manager->policyVersion() == 1);
  CHECK(e.policy_version == 1);
  CHECK(e.manager->trustVersions().timestamp() == 1);
  CHECK(e.manager->trustVersions().content_targets() == 1);
  CHECK(e.status.content_targets_version() == 1);
  CHECK(e.status.has_policy_issued_at());
  CHECK(e.status.has_expires());
  CHECK_FALSE(e.status.stale());
  CHECK_FALSE(e.status.from_offline_bundle());
  REQUIRE(e.events.size() == 1);
  CHECK(e.events[0].outcome() == v1::ContentUpdateEvent::OUTCOME_APPLIED);
  CHECK(e.events[0].kind() == v1::ARTIFACT_KIND_POLICY);
  CHECK(e.events[0].version() == 1);
  CHECK(e.events[0].previous_version() == 0);
  CHECK(e.events[0].source() == "collector");

  // The same metadata again: nothing fetched, nothing reported.
  REQUIRE(e.manager->handleUpdate(e.update(1, 1, 300)).isOk());
  CHECK(e.network.fetches == 1);
  CHECK(e.events.size() == 1);
}

TEST_CASE("a restart runs the last good policy and trusts the saved versions") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(2, 5, 600)).isOk());
  e.intervals.clear();
  e.restart();
  CHECK(e.intervals == std::vector<uint32_t>{600});
  CHECK(e.manager->policyVersion() == 5);
  CHECK(e.manager->trustVersions().timestamp() == 2);
  CHECK(e.policy_version == 5);
}

TEST_CASE("U4: a rollback is rejected once, reported, and cleared by the next real update") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(2, 2)).isOk());
  const v1::TrustUpdate old = e.update(1, 1);
  CHECK(e.manager->handleUpdate(old).code() == ErrorCode::kMetaRollback);
  CHECK(e.manager->handleUpdate(old).code() == ErrorCode::kMetaRollback);
  CHECK(e.manager->policyVersion() == 2);
  CHECK(e.condition("content") == ErrorCode::kMetaRollback);
  CHECK(e.status.last_rejection().code() == "E_META_ROLLBACK");
  CHECK(e.status.has_last_rejection_at());
  REQUIRE(e.events.size() == 2);  // APPLIED v2, then one REJECTED for two attempts
  CHECK(e.events[1].outcome() == v1::ContentUpdateEvent::OUTCOME_REJECTED);
  CHECK(e.events[1].error().code() == "E_META_ROLLBACK");

  REQUIRE(e.manager->handleUpdate(e.update(3, 3)).isOk());
  CHECK(e.condition("content") == ErrorCode::kOk);
  CHECK_FALSE(e.status.has_last_rejection());
  CHECK(e.manager->policyVersion() == 3);
}

TEST_CASE("U1: a tampered policy artifact is rejected; the right bytes later are applied") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 1, 300)).isOk());
  const std::string bytes = policyBytes(2, e.f.agent_id, 900);
  std::string tampered = policyBytes(2, e.f.agent_id, 901);
  REQUIRE(tampered.size() == bytes.size());
  e.network.serve(crypto::sha256(bytes), tampered);
  const v1::TrustUpdate u = policyUpdate(e.f, 2, 2, 2, bytes);
  CHECK(e.manager->handleUpdate(u).code() == ErrorCode::kArtifactHash);
  CHECK(e.manager->policyVersion() == 1);
  CHECK(e.intervals == std::vector<uint32_t>{300});
  CHECK(e.events.back().outcome() == v1::ContentUpdateEvent::OUTCOME_REJECTED);
  CHECK(e.events.back().kind() == v1::ARTIFACT_KIND_POLICY);
  CHECK(e.events.back().version() == 2);
  CHECK(e.events.back().previous_version() == 1);
  CHECK(e.condition("content") == ErrorCode::kArtifactHash);

  e.network.served.clear_artifacts();
  e.network.serve(crypto::sha256(bytes), bytes);
  REQUIRE(e.manager->handleUpdate(u).isOk());
  CHECK(e.manager->policyVersion() == 2);
  CHECK(e.condition("content") == ErrorCode::kOk);
}

TEST_CASE("U12: an invalid policy is rejected whole, judged once, last good kept") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 1, 300)).isOk());
  const v1::TrustUpdate bad = e.update(2, 2, /*interval=*/5);
  CHECK(e.manager->handleUpdate(bad).code() == ErrorCode::kPolicyInvalid);
  CHECK(e.manager->handleUpdate(bad).code() == ErrorCode::kPolicyInvalid);
  CHECK(e.network.fetches == 2);  // v1 and the bad v2 once
  CHECK(e.manager->policyVersion() == 1);
  CHECK(e.intervals == std::vector<uint32_t>{300});
  CHECK(e.status.last_rejection().code() == "E_POLICY_INVALID");
  CHECK(e.events.size() == 2);
  // A corrected policy replaces it.
  REQUIRE(e.manager->handleUpdate(e.update(3, 3, 200)).isOk());
  CHECK(e.manager->policyVersion() == 3);
}

TEST_CASE("an artifact the collector does not have is a failure, not a rejection") {
  Env e;
  const std::string bytes = policyBytes(1, e.f.agent_id);
  CHECK(e.manager->handleUpdate(policyUpdate(e.f, 1, 1, 1, bytes)).code() == ErrorCode::kNotFound);
  CHECK(e.events.empty());
  CHECK(e.condition("content_fetch") == ErrorCode::kNotFound);
  CHECK(e.manager->trustVersions().content_targets() == 1);  // the metadata itself was good
}

TEST_CASE("no installed root: E_TRUST_ROOT_MISSING until one is installed") {
  Env e(/*install_root=*/false);
  CHECK(e.condition("content_root") == ErrorCode::kTrustRootMissing);
  CHECK(e.manager->trustVersions().root() == 0);
  CHECK(e.status.root_version() == 0);
  CHECK(e.manager->handleUpdate(e.update(1, 1)).code() == ErrorCode::kTrustRootMissing);
  REQUIRE(e.events.size() == 1);
  CHECK(e.events[0].role() == v1::ROLE_ROOT);

  e.installRoot();
  REQUIRE(e.manager->handleUpdate(e.update(1, 1)).isOk());
  CHECK(e.condition("content_root") == ErrorCode::kOk);
  CHECK(e.manager->policyVersion() == 1);
}

TEST_CASE("D4: a damaged trust state is set aside and reported; the root is pinned again") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 1)).isOk());
  e.dir.write("trust/state.pb", "damaged");
  e.restart();
  CHECK(e.condition("content_state") == ErrorCode::kMetaInvalid);
  CHECK(e.manager->trustVersions().root() == 1);
  CHECK(e.manager->trustVersions().timestamp() == 0);
  CHECK(e.manager->policyVersion() == 1);  // enforcement goes on with the last good policy
  REQUIRE(e.manager->handleUpdate(e.update(2, 2)).isOk());
  CHECK(e.condition("content_state") == ErrorCode::kOk);
}

TEST_CASE("U5: expiry shows STALE with one event; the policy keeps running") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 1, 300)).isOk());
  e.manager->checkFreshness();
  CHECK_FALSE(e.status.stale());
  e.clock.advance(std::chrono::hours(24 * 8));  // the timestamp lives 7 days
  e.manager->checkFreshness();
  e.manager->checkFreshness();
  CHECK(e.status.stale());
  CHECK(e.manager->status().stale());
  CHECK(e.manager->policyVersion() == 1);
  REQUIRE(e.events.size() == 2);
  CHECK(e.events[1].outcome() == v1::ContentUpdateEvent::OUTCOME_STALE);
  CHECK(e.events[1].error().code() == "E_META_EXPIRED");
  // The collector freezing us on the old metadata is a rejection too.
  CHECK(e.manager->handleUpdate(e.update(1, 1, 300)).code() == ErrorCode::kMetaExpired);
}

}  // namespace
}  // namespace xiaoan::agent::content
