// The signed content channel through the whole collector over real TLS: check-ins carry signed
// metadata the agent's verifier accepts, and GET /v1/artifacts/sha256/<hex> streams artifacts
// (whole or from an offset) to enrolled agents only.
#include <doctest/doctest.h>

#include "common/policy/policy_rules.h"
#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"
#include "platform/file_util.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/keyed_collector.h"

namespace xiaoan::collector {
namespace {

using testing::checkin;
using testing::CollectorHarness;
using testing::KeyedCollector;
using testing::RawResponse;
using testing::TlsClient;

Result<RawResponse> get(CollectorHarness& h, const std::string& target,
                        const std::optional<testing::ClientIdentity>& id,
                        const std::map<std::string, std::string>& headers = {},
                        const std::string& method = "GET") {
  TlsClient client({h.agentPort(), h.caPem(), id});
  XIAOAN_RETURN_IF_ERROR(client.connect());
  return client.request(method, target, "", headers);
}

std::string policyArtifactHex(const v1::CheckinResponse& res) {
  auto targets = trust::parseTargets(res.trust().content_targets().payload());
  REQUIRE(targets.isOk());
  REQUIRE(targets->artifacts_size() == 1);
  return toHex(targets->artifacts(0).sha256());
}

TEST_CASE("without imported keys a check-in carries no signed content") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  v1::CheckinResponse res = checkin(h, *agent);
  CHECK_FALSE(res.has_trust());
  CHECK(res.checkin_interval_seconds() == 60);
}

TEST_CASE(
    "a check-in carries signed metadata for this agent; the school policy sets the interval") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  {
    auto store = SqliteStore::open(k.h.dataDir() + "/collector.db", false);
    REQUIRE(store.isOk());
    v1::Policy p;
    p.mutable_agent()->set_checkin_interval_seconds(300);
    PolicyLayerRow row{"school", "s1", p.SerializeAsString(), 0, 0, "admin"};
    REQUIRE((*store)->putPolicyLayer(row, {0, "admin", "policy.put", "s1", "{}"}).isOk());
  }
  v1::CheckinResponse res = checkin(k.h, *agent);
  CHECK(res.checkin_interval_seconds() == 300);
  REQUIRE(res.has_trust());
  CHECK(res.trust().roots_size() == 1);
  CHECK(checkin(k.h, *agent, 1).trust().roots_size() == 0);
  auto outcome =
      trust::applyUpdate(k.pinned(), res.trust(), {agent->agent_id, k.h.clock().now(), false});
  REQUIRE_MESSAGE(outcome.isOk(), outcome.status().toString());
  CHECK(outcome->changed);

  // The policy artifact, fetched as the agent does, is the signed one.
  auto body = get(k.h, "/v1/artifacts/sha256/" + policyArtifactHex(res), agent->identity);
  REQUIRE(body.isOk());
  REQUIRE(body->status == 200);
  CHECK(toHex(crypto::sha256(body->body)) == policyArtifactHex(res));
  CHECK(body->headers["content-type"] == "application/octet-stream");
  auto doc = policy::parsePolicyDocument(body->body, agent->agent_id);
  REQUIRE_MESSAGE(doc.isOk(), doc.status().toString());
  CHECK(doc->policy().agent().checkin_interval_seconds() == 300);
}

TEST_CASE("a check-in still succeeds when nothing can be issued (broken stored layer)") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  {
    auto store = SqliteStore::open(k.h.dataDir() + "/collector.db", false);
    REQUIRE(store.isOk());
    PolicyLayerRow row{"school", "s1", "\xff\xff not a policy", 0, 0, "admin"};
    REQUIRE((*store)->putPolicyLayer(row, {0, "admin", "policy.put", "s1", "{}"}).isOk());
  }
  v1::CheckinResponse res = checkin(k.h, *agent);
  CHECK_FALSE(res.has_trust());
  CHECK(res.checkin_interval_seconds() == 60);
}

TEST_CASE("artifact GET: Range resumes, bad addresses and ranges, unknown, no certificate") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  const std::string hex = policyArtifactHex(checkin(k.h, *agent));
  const std::string path = "/v1/artifacts/sha256/" + hex;
  auto whole = get(k.h, path, agent->identity);
  REQUIRE(whole.isOk());
  REQUIRE(whole->status == 200);
  const size_t n = whole->body.size();
  REQUIRE(n > 20);

  auto tail = get(k.h, path, agent->identity, {{"Range", "bytes=10-"}});
  REQUIRE(tail.isOk());
  CHECK(tail->status == 206);
  CHECK(tail->body == whole->body.substr(10));
  CHECK(tail->headers["content-range"] ==
        "bytes 10-" + std::to_string(n - 1) + "/" + std::to_string(n));
  auto last = get(k.h, path, agent->identity, {{"Range", "bytes=" + std::to_string(n - 1) + "-"}});
  REQUIRE(last.isOk());
  CHECK(last->status == 206);
  CHECK(last->body == whole->body.substr(n - 1));
  auto past = get(k.h, path, agent->identity, {{"Range", "bytes=" + std::to_string(n) + "-"}});
  REQUIRE(past.isOk());
  CHECK(past->status == 416);
  CHECK(past->headers["content-range"] == "bytes */" + std::to_string(n));

  for (const char* range : {"bytes=5-9", "bytes=-5", "items=1-", "bytes=x-"}) {
    CAPTURE(range);
    auto bad = get(k.h, path, agent->identity, {{"Range", range}});
    REQUIRE(bad.isOk());
    CHECK(bad->status == 400);
  }
  for (const std::string& target :
       std::vector<std::string>{"/v1/artifacts/sha256/xyz", "/v1/artifacts/sha256/" + hex + "0",
                                "/v1/artifacts/sha256/../../collector.db",
                                "/v1/artifacts/sha256/" + std::string(64, 'A')}) {
    CAPTURE(target);
    auto bad = get(k.h, target, agent->identity);
    REQUIRE(bad.isOk());
    CHECK(bad->status == 400);
  }
  auto unknown = get(k.h, "/v1/artifacts/sha256/" + std::string(64, 'a'), agent->identity);
  REQUIRE(unknown.isOk());
  CHECK(unknown->status == 404);
  auto anonymous = get(k.h, path, std::nullopt);
  REQUIRE(anonymous.isOk());
  CHECK(anonymous->status == 401);
  auto post = get(k.h, path, agent->identity, {}, "POST");
  REQUIRE(post.isOk());
  CHECK(post->status == 405);
}

TEST_CASE("an artifact larger than memory-sized buffers streams intact, also resumed") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  ArtifactStore store(k.h.dataDir());
  auto sha = store.put(big);
  REQUIRE(sha.isOk());
  const std::string path = "/v1/artifacts/sha256/" + toHex(*sha);
  auto whole = get(k.h, path, agent->identity);
  REQUIRE(whole.isOk());
  REQUIRE(whole->status == 200);
  CHECK(whole->body == big);
  auto tail = get(k.h, path, agent->identity, {{"Range", "bytes=1048576-"}});
  REQUIRE(tail.isOk());
  CHECK(tail->status == 206);
  CHECK(tail->body == big.substr(1048576));
}

}  // namespace
}  // namespace xiaoan::collector
