#include "agent/content/policy_applier.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "platform/file_util.h"
#include "tests/agent/content/content_fixture.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::content {
namespace {

using testing::policyArtifact;
using testing::policyBytes;
using xiaoan::testing::TempDir;

const auto kNow = std::chrono::system_clock::from_time_t(1'800'000'000);

struct Env {
  TempDir dir;
  std::vector<uint32_t> intervals;  // what the effects callback saw
  PolicyApplier::Effects effects = [this](const v1::Policy& p) {
    intervals.push_back(p.agent().checkin_interval_seconds());
  };
  PolicyApplier applier{dir.str(), effects};

  Status apply(const std::string& bytes, uint64_t version, bool bundle = false) {
    return applier.apply(bytes, policyArtifact(bytes, version), "agent-1", bundle, kNow);
  }
  std::string onDisk() const { return readFile(applier.path(), 1 << 20).value(); }
};

TEST_CASE("a valid policy is written, then takes effect") {
  Env e;
  const std::string v1 = policyBytes(1, "agent-1", 300);
  REQUIRE(e.apply(v1, 1).isOk());
  CHECK(e.onDisk() == v1);
  REQUIRE(e.applier.current().has_value());
  CHECK(e.applier.current()->document.version() == 1);
  CHECK(e.applier.current()->applied_at == kNow);
  CHECK_FALSE(e.applier.current()->from_offline_bundle);
  CHECK(e.intervals == std::vector<uint32_t>{300});
}

TEST_CASE("U12: an invalid policy is rejected whole and the last good one keeps running") {
  Env e;
  const std::string good = policyBytes(1, "agent-1", 300);
  REQUIRE(e.apply(good, 1).isOk());
  SUBCASE("a field out of range") {
    CHECK(e.apply(policyBytes(2, "agent-1", 5), 2).code() == ErrorCode::kPolicyInvalid);
  }
  SUBCASE("bytes that do not decode") {
    CHECK(e.apply("\x0a\xff\xff\xff", 2).code() == ErrorCode::kPolicyInvalid);
  }
  SUBCASE("another agent's policy") {
    CHECK(e.apply(policyBytes(2, "agent-2", 300), 2).code() == ErrorCode::kPolicyInvalid);
  }
  SUBCASE("a document whose version is not the signed one") {
    const std::string doc = policyBytes(3, "agent-1", 600);
    CHECK(e.applier.apply(doc, policyArtifact(doc, 2), "agent-1", false, kNow).code() ==
          ErrorCode::kMetaMismatch);
  }
  CHECK(e.onDisk() == good);
  CHECK(e.applier.current()->document.version() == 1);
  CHECK(e.intervals == std::vector<uint32_t>{300});
}

TEST_CASE("at start the last good policy is loaded and applied") {
  Env e;
  REQUIRE(e.apply(policyBytes(4, "agent-1", 90), 4, /*bundle=*/true).isOk());
  std::vector<uint32_t> seen;
  PolicyApplier again(e.dir.str(), [&](const v1::Policy& p) {
    seen.push_back(p.agent().checkin_interval_seconds());
  });
  again.loadLastGood("agent-1");
  REQUIRE(again.current().has_value());
  CHECK(again.current()->document.version() == 4);
  CHECK(again.current()->from_offline_bundle);
  CHECK(seen == std::vector<uint32_t>{90});
  CHECK(again.setAsideCount() == 0);
}

TEST_CASE("D4: a damaged policy file is set aside and counted; no crash, no policy") {
  Env e;
  std::filesystem::create_directories(e.dir.sub("policy"));
  e.dir.write("policy/current.pb", "\x0a\x05garbage");
  e.applier.loadLastGood("agent-1");
  CHECK_FALSE(e.applier.current().has_value());
  CHECK(e.applier.setAsideCount() == 1);
  CHECK(std::filesystem::exists(e.applier.path() + ".bad"));
  CHECK_FALSE(std::filesystem::exists(e.applier.path()));
  CHECK(e.intervals.empty());
  // Nothing at all is not damage.
  PolicyApplier fresh(e.dir.str(), e.effects);
  fresh.loadLastGood("agent-1");
  CHECK(fresh.setAsideCount() == 0);
}

}  // namespace
}  // namespace xiaoan::agent::content
