#include "agent/content/artifact_store.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "tests/agent/content/content_fixture.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyArtifact;
using xiaoan::testing::TempDir;

struct Env {
  TempDir dir;
  ArtifactStore store{dir.str()};
  Env() { REQUIRE(store.prepare().isOk()); }
  void writePart(const v1::Artifact& a, const std::string& bytes) {
    dir.write(std::filesystem::relative(store.partPath(a), dir.str()).string(), bytes);
  }
};

TEST_CASE("put and read verify length and SHA-256") {
  Env e;
  const std::string bytes = "the signed bytes";
  const v1::Artifact a = policyArtifact(bytes, 1);
  REQUIRE(e.store.put(a, bytes).isOk());
  CHECK(e.store.path(a) == e.dir.sub("content/sha256/" + artifactHex(a)));
  auto read = e.store.read(a, 1024);
  REQUIRE(read.isOk());
  CHECK(*read == bytes);
  CHECK(e.store.holdsVerified(a));

  CHECK(e.store.put(a, "other bytes, same length").code() == ErrorCode::kArtifactHash);
  CHECK(e.store.put(a, "the signed byteZ").code() == ErrorCode::kArtifactHash);
  CHECK(e.store.read(a, 4).status().code() == ErrorCode::kTooLarge);
}

TEST_CASE("a stored artifact damaged on disk is deleted when read") {
  Env e;
  const std::string bytes = "policy bytes";
  const v1::Artifact a = policyArtifact(bytes, 1);
  REQUIRE(e.store.put(a, bytes).isOk());
  e.dir.write(std::filesystem::relative(e.store.path(a), e.dir.str()).string(), "policy bytez");
  auto read = e.store.read(a, 1024);
  REQUIRE_FALSE(read.isOk());
  CHECK(read.status().code() == ErrorCode::kArtifactHash);
  CHECK_FALSE(std::filesystem::exists(e.store.path(a)));
  CHECK(e.store.read(a, 1024).status().code() == ErrorCode::kNotFound);
  CHECK_FALSE(e.store.holdsVerified(a));
}

TEST_CASE("commitPart renames only a matching .part and deletes a bad one") {
  Env e;
  const std::string bytes(100'000, 'p');
  const v1::Artifact a = policyArtifact(bytes, 2);
  e.writePart(a, bytes.substr(0, 500));
  CHECK(e.store.commitPart(a).code() == ErrorCode::kArtifactHash);
  CHECK_FALSE(std::filesystem::exists(e.store.partPath(a)));
  CHECK_FALSE(std::filesystem::exists(e.store.path(a)));

  e.writePart(a, bytes);
  REQUIRE(e.store.commitPart(a).isOk());
  CHECK_FALSE(std::filesystem::exists(e.store.partPath(a)));
  CHECK(e.store.holdsVerified(a));
}

TEST_CASE("garbage collection keeps only named artifacts and their partial downloads") {
  Env e;
  const v1::Artifact keep = policyArtifact("keep me", 3);
  const v1::Artifact old = policyArtifact("old policy", 2);
  const v1::Artifact resumable = policyArtifact("still downloading", 4);
  const v1::Artifact abandoned = policyArtifact("abandoned", 1);
  REQUIRE(e.store.put(keep, "keep me").isOk());
  REQUIRE(e.store.put(old, "old policy").isOk());
  e.writePart(resumable, "still");
  e.writePart(abandoned, "aban");
  CHECK(e.store.collectGarbage({artifactHex(keep), artifactHex(resumable)}) == 2);
  CHECK(std::filesystem::exists(e.store.path(keep)));
  CHECK(std::filesystem::exists(e.store.partPath(resumable)));
  CHECK_FALSE(std::filesystem::exists(e.store.path(old)));
  CHECK_FALSE(std::filesystem::exists(e.store.partPath(abandoned)));
}

}  // namespace
}  // namespace xiaoan::agent::content
