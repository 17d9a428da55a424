// The rules the agent scans with: built-in at first, then signed bundles; a bundle that does
// not compile is rejected whole and the last good rules stay (RELIABILITY.md U12, I4).
#include "agent/scan/signature_loader.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/crypto/ed25519.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using xiaoan::testing::FakeClock;
using xiaoan::testing::TempDir;

constexpr const char* kBuiltinRule =
    R"(rule Builtin_Marker { strings: $a = "builtin" condition: $a })";

std::string bundleBytes(uint64_t version, const std::string& rules, int extra_files = 0) {
  v1::SignatureBundle b;
  b.set_version(version);
  b.mutable_issued_at()->set_seconds(1'800'000'000);
  auto* f = b.add_files();
  f->set_name("main.yar");
  f->set_content(rules);
  for (int i = 0; i < extra_files; ++i) {
    auto* g = b.add_files();
    g->set_name("extra/r" + std::to_string(i) + ".yar");
    g->set_content("rule Extra_" + std::to_string(i) + " { condition: false }");
  }
  b.set_rule_count(1 + extra_files);
  return b.SerializeAsString();
}

std::string ruleNamed(const std::string& name) {
  return "rule " + name + " { strings: $a = \"" + name + "\" condition: $a }";
}

struct Env {
  TempDir dir;
  FakeClock clock;
  std::vector<LoadedSignatures> loads;
  std::unique_ptr<SignatureLoader> loader;
  Env() {
    std::filesystem::create_directories(dir.sub("builtin/sub"));
    dir.write("builtin/sub/marker.yar", kBuiltinRule);
    restart();
  }
  void restart() {
    loader = std::make_unique<SignatureLoader>(
        SignatureLoaderOptions{dir.sub("state"), dir.sub("builtin")}, clock,
        [this](const LoadedSignatures& l) { loads.push_back(l); });
  }
};

TEST_CASE("first start: the built-in rules, version 0") {
  Env e;
  CHECK(e.loader->rules() == nullptr);
  REQUIRE(e.loader->loadAtStart().isOk());
  REQUIRE(e.loader->rules() != nullptr);
  CHECK(e.loader->rules()->bundleVersion() == 0);
  CHECK(e.loader->rules()->ruleCount() == 1);
  const auto loaded = e.loader->loaded();
  REQUIRE(loaded.has_value());
  CHECK(loaded->version == 0);
  CHECK(loaded->sha256.empty());
  CHECK(e.loads.size() == 1);
  CHECK_FALSE(e.loader->lastError().has_value());
}

TEST_CASE("a signed bundle is loaded, persisted and preferred at the next start") {
  Env e;
  REQUIRE(e.loader->loadAtStart().isOk());
  const auto before = e.loader->rules();
  const std::string bytes = bundleBytes(3, ruleNamed("Bundle_V3"), 2);
  REQUIRE(e.loader->applyArtifact(bytes, 3).isOk());
  CHECK(e.loader->rules()->bundleVersion() == 3);
  CHECK(e.loader->rules()->ruleCount() == 3);
  CHECK(e.loader->loaded()->sha256 == crypto::sha256(bytes));
  CHECK(e.loader->loaded()->issued_at.seconds() == 1'800'000'000);
  CHECK(before->bundleVersion() == 0);  // a scan holding the old rules keeps them
  struct stat st {};
  REQUIRE(::stat(e.loader->currentPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  e.restart();
  REQUIRE(e.loader->loadAtStart().isOk());
  CHECK(e.loader->rules()->bundleVersion() == 3);
  CHECK(e.loader->loaded()->sha256 == crypto::sha256(bytes));
}

TEST_CASE("U12: a bundle that does not compile is rejected with file:line; v3 stays") {
  Env e;
  REQUIRE(e.loader->loadAtStart().isOk());
  REQUIRE(e.loader->applyArtifact(bundleBytes(3, ruleNamed("Good")), 3).isOk());
  const std::string bad = bundleBytes(4, "rule Broken {\n  condition: nonsense(\n}");
  Status st = e.loader->applyArtifact(bad, 4);
  CHECK(st.code() == ErrorCode::kRulesInvalid);
  CHECK_MESSAGE(st.message().find("main.yar:") != std::string::npos, st.message());
  CHECK(e.loader->rules()->bundleVersion() == 3);
  REQUIRE(e.loader->lastError().has_value());
  CHECK(e.loader->lastError()->code() == "E_RULES_INVALID");
  // Not persisted: a restart runs v3.
  e.restart();
  REQUIRE(e.loader->loadAtStart().isOk());
  CHECK(e.loader->rules()->bundleVersion() == 3);
  // Malformed bytes and a version other than the signed one are rejected too.
  CHECK(e.loader->applyArtifact("\x08\x05\x1a\xff garbage", 5).code() == ErrorCode::kRulesInvalid);
  CHECK(e.loader->applyArtifact(bundleBytes(6, ruleNamed("V6")), 7).code() ==
        ErrorCode::kMetaMismatch);
  CHECK(e.loader->rules()->bundleVersion() == 3);
  // The next good one clears the error.
  REQUIRE(e.loader->applyArtifact(bundleBytes(8, ruleNamed("V8")), 8).isOk());
  CHECK_FALSE(e.loader->lastError().has_value());
}

TEST_CASE("I4: a damaged last good bundle is set aside; the built-in rules run; it is said") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("state/signatures"));
  e.dir.write("state/signatures/current.pb", bundleBytes(2, "rule X { condition: ??? }"));
  REQUIRE(e.loader->loadAtStart().isOk());
  CHECK(e.loader->rules()->bundleVersion() == 0);
  REQUIRE(e.loader->lastError().has_value());
  CHECK(e.loader->lastError()->code() == "E_RULES_INVALID");
  CHECK(std::filesystem::exists(e.dir.sub("state/signatures/current.pb.bad")));
  CHECK_FALSE(std::filesystem::exists(e.dir.sub("state/signatures/current.pb")));
}

TEST_CASE("no bundle and no built-in rules: E_RULES_MISSING, nothing loaded") {
  Env e;
  std::filesystem::remove_all(e.dir.sub("builtin"));
  CHECK(e.loader->loadAtStart().code() == ErrorCode::kRulesMissing);
  CHECK(e.loader->rules() == nullptr);
  // A bundle then arrives and is used.
  REQUIRE(e.loader->applyArtifact(bundleBytes(1, ruleNamed("First")), 1).isOk());
  CHECK(e.loader->rules()->bundleVersion() == 1);
}

}  // namespace
}  // namespace xiaoan::agent::scan
