// `xiaoanctl apply-bundle` as the daemon runs it: ContentManager::applyBundle.
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "agent/content/content_manager.h"
#include "agent/content/offline_bundle.h"
#include "tests/agent/content/content_fixture.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyBytes;
using testing::policyUpdate;
using testing::TrustFixture;
using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

// Never reached: a bundle carries its own artifacts.
class NoNetwork final : public ArtifactFetcher {
 public:
  Status fetch(const v1::Artifact&, ArtifactStore&) override {
    ++calls;
    return Status(ErrorCode::kCollectorUnreachable, "offline");
  }
  int calls = 0;
};

struct Env : testing::RecordedContent {
  TempDir dir;
  TrustFixture f;
  FakeClock clock{f.now};
  NoNetwork network;
  ContentManager manager{ContentManagerOptions{dir.str(), dir.sub("root.pb")}, clock, network,
                         *this, *this};

  Env() { dir.write("root.pb", f.signedRoot(1).SerializeAsString()); }

  // A bundle for agent-2 and this agent (policy `version` with `interval`).
  v1::OfflineBundle bundle(uint64_t version, uint32_t interval, bool with_artifact = true) {
    v1::OfflineBundle b;
    b.set_format("xiaoan-bundle-v1");
    // Another terminal's entry, signed with the same keys.
    auto* e2 = b.add_entries();
    e2->set_agent_id("agent-2");
    const std::string bytes2 = policyBytes(version, "agent-2", interval);
    f.agent_id = "agent-2";
    *e2->mutable_update() = policyUpdate(f, version, version, version, bytes2);
    f.agent_id = "agent-1";
    auto* e1 = b.add_entries();
    e1->set_agent_id(f.agent_id);
    const std::string bytes = policyBytes(version, f.agent_id, interval);
    *e1->mutable_update() = policyUpdate(f, version, version, version, bytes);
    *e1->mutable_update()->add_roots() = f.signedRoot(1);  // bundles carry roots from v1
    if (with_artifact) {
      for (const auto* data : {&bytes, &bytes2}) {
        auto* a = b.add_artifacts();
        a->set_sha256(crypto::sha256(*data));
        a->set_data(*data);
      }
    }
    return b;
  }
  std::string write(const v1::OfflineBundle& b) {
    return dir.write("bundle.pb", b.SerializeAsString());
  }
};

TEST_CASE("a bundle applies this agent's entry with its own artifacts") {
  Env e;
  e.manager.start(e.f.agent_id);
  auto r = e.manager.applyBundle(e.write(e.bundle(3, 240)));
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->root_version() == 1);
  CHECK(r->policy_version() == 3);
  CHECK(r->changed());
  CHECK(e.intervals == std::vector<uint32_t>{240});
  CHECK(e.network.calls == 0);
  CHECK(e.status.from_offline_bundle());
  REQUIRE_FALSE(e.events.empty());
  CHECK(e.events.back().source() == "offline_bundle");
  CHECK(e.events.back().outcome() == v1::ContentUpdateEvent::OUTCOME_APPLIED);

  // The same bundle again changes nothing.
  auto again = e.manager.applyBundle(e.write(e.bundle(3, 240)));
  REQUIRE(again.isOk());
  CHECK_FALSE(again->changed());
}

TEST_CASE("expired metadata in a bundle is accepted offline, and the waiver is listed") {
  Env e;
  e.manager.start(e.f.agent_id);
  const std::string path = e.write(e.bundle(1, 240));
  e.clock.advance(std::chrono::hours(24 * 40));  // past timestamp and targets expiry
  auto r = e.manager.applyBundle(path);
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->policy_version() == 1);
  CHECK(r->waived_size() > 0);
  CHECK(e.status.stale());  // applied, but still shown as STALE
}

TEST_CASE("bundle refusals: signatures and versions still hold") {
  Env e;
  e.manager.start(e.f.agent_id);
  SUBCASE("not a bundle") {
    CHECK(e.manager.applyBundle(e.dir.write("x.pb", "garbage")).status().code() ==
          ErrorCode::kMetaInvalid);
  }
  SUBCASE("no entry for this agent") {
    v1::OfflineBundle b = e.bundle(1, 240);
    b.mutable_entries()->DeleteSubrange(1, 1);
    CHECK(e.manager.applyBundle(e.write(b)).status().code() == ErrorCode::kMetaMismatch);
  }
  SUBCASE("the artifact is missing") {
    CHECK(e.manager.applyBundle(e.write(e.bundle(1, 240, false))).status().code() ==
          ErrorCode::kNotFound);
  }
  SUBCASE("forged timestamp signature") {
    v1::OfflineBundle b = e.bundle(1, 240);
    auto* sig = b.mutable_entries(1)->mutable_update()->mutable_timestamp()->mutable_signatures(0);
    sig->mutable_sig()->at(3) ^= 1;
    CHECK(e.manager.applyBundle(e.write(b)).status().code() == ErrorCode::kMetaSignature);
  }
  SUBCASE("older than what runs") {
    REQUIRE(e.manager.applyBundle(e.write(e.bundle(4, 240))).isOk());
    CHECK(e.manager.applyBundle(e.write(e.bundle(2, 120))).status().code() ==
          ErrorCode::kMetaRollback);
    CHECK(e.manager.policyVersion() == 4);
  }
  CHECK(e.intervals.size() <= 1);
}

TEST_CASE("a bundle needs an enrolled agent and at most kMaxBundleBytes") {
  Env e;
  CHECK(e.manager.applyBundle(e.write(e.bundle(1, 240))).status().code() ==
        ErrorCode::kNotEnrolled);
  e.manager.start(e.f.agent_id);
  CHECK(e.manager.applyBundle(e.dir.sub("missing.pb")).status().code() == ErrorCode::kNotFound);
  // One byte over the cap (a sparse file): refused with a clear code, nothing applied.
  const std::string big = e.dir.write("big.pb", "");
  std::filesystem::resize_file(big, kMaxBundleBytes + 1);
  CHECK(e.manager.applyBundle(big).status().code() == ErrorCode::kTooLarge);
  CHECK(e.manager.policyVersion() == 0);
}

}  // namespace
}  // namespace xiaoan::agent::content
