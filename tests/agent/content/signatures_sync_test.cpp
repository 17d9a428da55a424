// The SIGNATURES artifact through the content channel: fetched, handed to the scanner's loader,
// reported as content_update events with kind SIGNATURES; a bundle the loader rejects
// (E_RULES_INVALID) is judged once and the rules loaded stay (RELIABILITY.md U12).
#include <doctest/doctest.h>

#include "agent/content/content_manager.h"
#include "signatures/bundle.h"
#include "tests/agent/content/content_fixture.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyBytes;
using testing::ServedArtifacts;
using testing::TrustFixture;
using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

// The scanner's loader, reduced to its contract: bytes "bad..." do not compile.
struct FakeLoader {
  RunningArtifact loaded;
  int loads = 0;
  Status load(std::string_view bytes, const v1::Artifact& artifact) {
    ++loads;
    if (bytes.rfind("bad", 0) == 0) {
      return Status(ErrorCode::kRulesInvalid, "webshell/php.yar:3: syntax error");
    }
    loaded = {artifact.version(), artifact.sha256()};
    return Status::ok();
  }
};

struct Env : testing::RecordedContent {
  TempDir dir;
  TrustFixture f;
  FakeClock clock{f.now};
  ServedArtifacts network;
  FakeLoader loader;
  std::unique_ptr<ContentManager> manager;
  std::string policy = policyBytes(1, f.agent_id);

  Env() {
    dir.write("root.pb", f.signedRoot(1).SerializeAsString());
    manager = std::make_unique<ContentManager>(ContentManagerOptions{dir.str(), dir.sub("root.pb")},
                                               clock, network, *this, *this);
    manager->start(f.agent_id);
    network.serve(crypto::sha256(policy), policy);
  }

  // The agent runs a scanner: signature artifacts go to the loader.
  bool runsSignatures() const override { return true; }
  Status loadSignatures(std::string_view b, const v1::Artifact& a) override {
    return loader.load(b, a);
  }
  RunningArtifact runningSignatures() const override { return loader.loaded; }

  // Metadata v`meta` naming the policy and signature bundle `bytes` as version `version`.
  v1::TrustUpdate update(uint64_t meta, uint64_t version, const std::string& bytes) {
    network.serve(crypto::sha256(bytes), bytes);
    v1::TargetsMetadata t = f.contentTargets(meta, 1, policy);
    auto* a = t.add_artifacts();
    a->set_kind(v1::ARTIFACT_KIND_SIGNATURES);
    a->set_name("signatures");
    a->set_version(version);
    a->set_length(bytes.size());
    a->set_sha256(crypto::sha256(bytes));
    v1::TrustUpdate u;
    *u.mutable_content_targets() = TrustFixture::sign(v1::ROLE_CONTENT, t, {&f.content});
    f.resignTimestamp(u, meta, meta);
    return u;
  }

  std::vector<v1::ContentUpdateEvent> signatureEvents() const {
    std::vector<v1::ContentUpdateEvent> out;
    for (const auto& e : events) {
      if (e.kind() == v1::ARTIFACT_KIND_SIGNATURES) out.push_back(e);
    }
    return out;
  }
};

TEST_CASE("a new signature bundle is loaded once and reported APPLIED with its versions") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 3, "rules v3")).isOk());
  CHECK(e.loader.loaded.version == 3);
  auto sigs = e.signatureEvents();
  REQUIRE(sigs.size() == 1);
  CHECK(sigs[0].outcome() == v1::ContentUpdateEvent::OUTCOME_APPLIED);
  CHECK(sigs[0].role() == v1::ROLE_CONTENT);
  CHECK(sigs[0].version() == 3);
  CHECK(sigs[0].previous_version() == 0);
  CHECK(e.manager->policyVersion() == 1);  // the policy beside it applied too

  // Renewed metadata naming the same bundle: not fetched or loaded again.
  const int fetches = e.network.fetches;
  REQUIRE(e.manager->handleUpdate(e.update(2, 3, "rules v3")).isOk());
  CHECK(e.network.fetches == fetches);
  CHECK(e.loader.loads == 1);
  CHECK(e.signatureEvents().size() == 1);
}

TEST_CASE("U12: a bundle that does not compile is rejected once; the last good rules stay") {
  Env e;
  REQUIRE(e.manager->handleUpdate(e.update(1, 3, "rules v3")).isOk());
  const v1::TrustUpdate bad = e.update(2, 4, "bad rules v4");
  CHECK(e.manager->handleUpdate(bad).code() == ErrorCode::kRulesInvalid);
  CHECK(e.manager->handleUpdate(bad).code() == ErrorCode::kRulesInvalid);
  CHECK(e.loader.loads == 2);  // v3 and the bad v4 once: not compiled again at each check-in
  CHECK(e.loader.loaded.version == 3);
  CHECK(e.status.last_rejection().code() == "E_RULES_INVALID");
  CHECK(e.status.last_rejection().message().find("php.yar:3") != std::string::npos);
  CHECK(e.condition("content") == ErrorCode::kRulesInvalid);
  auto sigs = e.signatureEvents();
  REQUIRE(sigs.size() == 2);
  CHECK(sigs[1].outcome() == v1::ContentUpdateEvent::OUTCOME_REJECTED);
  CHECK(sigs[1].version() == 4);
  CHECK(sigs[1].previous_version() == 3);
  CHECK(sigs[1].error().code() == "E_RULES_INVALID");

  // The next good bundle replaces it and clears the rejection.
  REQUIRE(e.manager->handleUpdate(e.update(3, 5, "rules v5")).isOk());
  CHECK(e.loader.loaded.version == 5);
  CHECK_FALSE(e.status.has_last_rejection());
  CHECK(e.condition("content") == ErrorCode::kOk);
}

TEST_CASE("a bundle larger than the cap is rejected before it is fetched") {
  Env e;
  v1::TrustUpdate u = e.update(1, 2, "rules");
  auto* t = u.mutable_content_targets();
  v1::TargetsMetadata meta;
  REQUIRE(meta.ParseFromString(t->payload()));
  meta.mutable_artifacts(1)->set_length(sig::kMaxBundleBytes + 1);
  *t = TrustFixture::sign(v1::ROLE_CONTENT, meta, {&e.f.content});
  e.f.resignTimestamp(u, 1, 1);
  const int fetches = e.network.fetches;
  CHECK(e.manager->handleUpdate(u).code() == ErrorCode::kTooLarge);
  CHECK(e.network.fetches == fetches + 1);  // the policy only
  CHECK(e.loader.loads == 0);
}

TEST_CASE("a bundle that loads does not clear the rejection of the policy beside it") {
  Env e;
  e.policy = "not a policy document";
  e.network.serve(crypto::sha256(e.policy), e.policy);
  const Status first = e.manager->handleUpdate(e.update(1, 3, "rules v3"));
  CHECK_FALSE(first.isOk());
  CHECK(e.loader.loaded.version == 3);  // independent artifacts: the rules still load
  CHECK(e.condition("content") == first.code());
  CHECK(e.status.last_rejection().code() == errorCodeName(first.code()));
  // The next check-in names the same refused policy: still reported.
  CHECK(e.manager->handleUpdate(e.update(2, 3, "rules v3")).code() == first.code());
  CHECK(e.condition("content") == first.code());
  CHECK(e.status.has_last_rejection());
}

}  // namespace
}  // namespace xiaoan::agent::content
