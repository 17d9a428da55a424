// ArtifactSync on its own: one kind of artifact, a fake applier, artifacts served from memory.
#include "agent/content/artifact_sync.h"

#include <doctest/doctest.h>

#include "tests/agent/content/content_fixture.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyArtifact;
using testing::ServedArtifacts;
using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

const ArtifactRules kRules{.kind = v1::ARTIFACT_KIND_POLICY,
                           .name = "policy",
                           .noun = "a test artifact",
                           .max_bytes = 64,
                           .too_large = ErrorCode::kTooLarge,
                           .invalid = ErrorCode::kPolicyInvalid};

// Applies any bytes except those starting with "bad" (invalid) or "io" (a disk failure).
struct FakeApplier final : ArtifactApplier {
  std::optional<RunningArtifact> current;
  bool on = true;
  int applies = 0;
  const ArtifactRules& rules() const override { return kRules; }
  bool enabled() const override { return on; }
  std::optional<RunningArtifact> running() const override { return current; }
  Status apply(std::string_view bytes, const v1::Artifact& a, const ApplyContext&) override {
    ++applies;
    if (bytes.rfind("bad", 0) == 0) return Status(ErrorCode::kPolicyInvalid, "bad document");
    if (bytes.rfind("io", 0) == 0) return Status(ErrorCode::kIo, "disk full");
    current = RunningArtifact{a.version(), a.sha256()};
    return Status::ok();
  }
};

struct Env {
  TempDir dir;
  FakeClock clock;
  ArtifactStore store{dir.str()};
  ServedArtifacts network;
  FakeApplier applier;
  ArtifactSync sync{applier, store};
  std::string agent_id = "agent-1";

  Env() { REQUIRE(store.prepare().isOk()); }
  v1::Artifact serve(const std::string& bytes, uint64_t version) {
    network.serve(crypto::sha256(bytes), bytes);
    return policyArtifact(bytes, version);
  }
  SyncResult run(const v1::Artifact* target) {
    return sync.sync(target, network, ApplyContext{agent_id, false, clock});
  }
};

TEST_CASE("nothing named, disabled or already running: nothing fetched") {
  Env e;
  CHECK(e.run(nullptr).kind == SyncResult::Kind::kUpToDate);
  const v1::Artifact a = e.serve("good v1", 1);
  e.applier.on = false;
  CHECK(e.run(&a).kind == SyncResult::Kind::kUpToDate);
  e.applier.on = true;
  e.applier.current = RunningArtifact{1, a.sha256()};
  CHECK(e.run(&a).kind == SyncResult::Kind::kUpToDate);
  CHECK(e.network.fetches == 0);
}

TEST_CASE("a new artifact is fetched and applied; the subject names both versions") {
  Env e;
  e.applier.current = RunningArtifact{1, "old"};
  const v1::Artifact a = e.serve("good v2", 2);
  const SyncResult r = e.run(&a);
  REQUIRE(r.kind == SyncResult::Kind::kApplied);
  CHECK(r.subject.role == v1::ROLE_CONTENT);
  CHECK(r.subject.kind == v1::ARTIFACT_KIND_POLICY);
  CHECK(r.subject.version == 2);
  CHECK(r.subject.previous_version == 1);
  CHECK(e.run(&a).kind == SyncResult::Kind::kUpToDate);
  CHECK(e.network.fetches == 1);
}

TEST_CASE("bytes refused for what they are are judged once; other failures are retried") {
  Env e;
  const v1::Artifact bad = e.serve("bad v3", 3);
  SyncResult r = e.run(&bad);
  CHECK(r.kind == SyncResult::Kind::kFailed);
  CHECK(r.status.code() == ErrorCode::kPolicyInvalid);
  r = e.run(&bad);
  CHECK(r.kind == SyncResult::Kind::kRefusedBefore);
  CHECK(r.status.code() == ErrorCode::kPolicyInvalid);
  CHECK(e.applier.applies == 1);

  const v1::Artifact io = e.serve("io v4", 4);
  CHECK(e.run(&io).kind == SyncResult::Kind::kFailed);
  CHECK(e.run(&io).kind == SyncResult::Kind::kFailed);
  CHECK(e.applier.applies == 3);
}

TEST_CASE("an artifact announced larger than the rules allow is refused before download") {
  Env e;
  v1::Artifact big = e.serve("good but big", 5);
  big.set_length(65);
  const SyncResult r = e.run(&big);
  CHECK(r.kind == SyncResult::Kind::kFailed);
  CHECK(r.status.code() == ErrorCode::kTooLarge);
  CHECK(r.status.message().find("a test artifact may have at most 64") != std::string::npos);
  CHECK(e.network.fetches == 0);
  CHECK(e.run(&big).kind == SyncResult::Kind::kRefusedBefore);
}

}  // namespace
}  // namespace xiaoan::agent::content
