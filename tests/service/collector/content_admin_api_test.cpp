// The admin API of policies, rooms, effective policies and offline bundles, through the whole
// collector over real TLS; what agents get is checked at check-in and with their verifier.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include "common/crypto/ed25519.h"
#include "common/policy/policy_rules.h"
#include "common/trust/metadata.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/keyed_collector.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::collector {
namespace {

using testing::checkin;
using testing::CollectorHarness;
using testing::KeyedCollector;
using testing::policyVersion;
using testing::RawResponse;

template <typename M>
M fromJson(const RawResponse& r) {
  M m;
  google::protobuf::util::JsonParseOptions options;
  REQUIRE_MESSAGE(google::protobuf::util::JsonStringToMessage(r.body, &m, options).ok(), r.body);
  return m;
}

RawResponse call(CollectorHarness& h, const std::string& method, const std::string& target,
                 const std::string& body = "") {
  auto r = h.admin(method, target, body);
  REQUIRE(r.isOk());
  return *r;
}

TEST_CASE("policy layers: validation errors with field paths, put, get, delete, audited") {
  CollectorHarness h;
  h.makeToken("s1");
  RawResponse bad = call(h, "PUT", "/api/v1/policies/school/s1",
                         R"({"policy":{"agent":{"checkin_interval_seconds":5},)"
                         R"("scan":{"paths":["/home","tmp"]}}})");
  CHECK(bad.status == 400);
  auto error = fromJson<v1::AdminError>(bad);
  CHECK(error.error().code() == "E_INVALID_ARGUMENT");
  REQUIRE(error.field_errors_size() == 2);
  CHECK(error.field_errors(0).field() == "agent.checkin_interval_seconds");
  CHECK(error.field_errors(1).field() == "scan.paths[1]");

  CHECK(call(h, "GET", "/api/v1/policies/school/s1").status == 404);
  CHECK(call(h, "PUT", "/api/v1/policies/school/nope", R"({"policy":{}})").status == 404);
  RawResponse put = call(h, "PUT", "/api/v1/policies/school/s1",
                         R"({"policy":{"agent":{"checkin_interval_seconds":300}}})");
  REQUIRE_MESSAGE(put.status == 200, put.body);
  auto layer = fromJson<v1::PolicyLayer>(put);
  CHECK(layer.scope() == v1::POLICY_SCOPE_SCHOOL);
  CHECK(layer.revision() == 1);
  CHECK(layer.updated_by() == "admin");
  auto got = fromJson<v1::PolicyLayer>(call(h, "GET", "/api/v1/policies/school/s1"));
  CHECK(got.policy().agent().checkin_interval_seconds() == 300);
  CHECK(fromJson<v1::PolicyLayer>(call(h, "PUT", "/api/v1/policies/school/s1", put.body))
            .revision() == 2);  // what GET/PUT print can be sent back as is
  RawResponse room = call(h, "PUT", "/api/v1/policies/room/s1%2Flab1",
                          R"({"policy":{"scan":{"cpu_percent":10}}})");
  CHECK(room.status == 200);
  CHECK(fromJson<v1::PolicyLayer>(room).id() == "s1/lab1");
  CHECK(call(h, "DELETE", "/api/v1/policies/room/s1%2Flab1").status == 200);
  CHECK(call(h, "DELETE", "/api/v1/policies/room/s1%2Flab1").status == 404);

  auto store = SqliteStore::open(h.dataDir() + "/collector.db", false);
  REQUIRE(store.isOk());
  auto audit = (*store)->listAudit(10);
  REQUIRE(audit.isOk());
  REQUIRE(audit->size() >= 4);
  CHECK((*audit)[0].action == "policy.delete");
  CHECK((*audit)[0].target == "room/s1/lab1");
  CHECK((*audit)[1].action == "policy.put");
  CHECK((*audit)[1].detail_json.find("cpu_percent") != std::string::npos);
}

TEST_CASE("rooms and the effective policy of a terminal; terminals list shows both") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  const std::string t = agent->terminal_id;
  call(k.h, "PUT", "/api/v1/policies/school/s1",
       R"({"policy":{"agent":{"checkin_interval_seconds":300}}})");
  call(k.h, "PUT", "/api/v1/policies/room/s1%2F%E6%9C%BA%E6%88%BF2",
       R"({"policy":{"agent":{"checkin_interval_seconds":120}}})");
  auto before =
      fromJson<v1::EffectivePolicy>(call(k.h, "GET", "/api/v1/terminals/" + t + "/policy"));
  CHECK(before.policy().agent().checkin_interval_seconds() == 300);
  CHECK(before.policy().retention().security_days() == 180);  // built-in default
  CHECK(before.sources_size() == 1);
  CHECK(before.issued_version() == 0);

  RawResponse set = call(k.h, "PUT", "/api/v1/terminals/" + t + "/room", R"({"room":"机房2"})");
  REQUIRE_MESSAGE(set.status == 200, set.body);
  CHECK(call(k.h, "PUT", "/api/v1/terminals/ffff/room", R"({"room":"x"})").status == 404);
  v1::CheckinResponse res = checkin(k.h, *agent);
  CHECK(res.checkin_interval_seconds() == 120);
  auto after =
      fromJson<v1::EffectivePolicy>(call(k.h, "GET", "/api/v1/terminals/" + t + "/policy"));
  CHECK(after.policy().agent().checkin_interval_seconds() == 120);
  REQUIRE(after.sources_size() == 2);
  CHECK(after.sources(1).id() == "s1/机房2");
  CHECK(after.issued_version() == policyVersion(res));
  CHECK(call(k.h, "GET", "/api/v1/terminals/ffff/policy").status == 404);

  auto list = fromJson<v1::TerminalList>(call(k.h, "GET", "/api/v1/terminals"));
  REQUIRE(list.terminals_size() == 1);
  CHECK(list.terminals(0).room() == "机房2");
  CHECK_FALSE(list.terminals(0).silent());
  // Silent after three of *its* intervals (120 s), not the collector default.
  k.h.clock().advance(std::chrono::seconds(400));
  CHECK(fromJson<v1::TerminalList>(call(k.h, "GET", "/api/v1/terminals")).terminals(0).silent());
}

TEST_CASE("one school's policy change reaches that school's agents only, at the next check-in") {
  KeyedCollector k;
  auto a = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  auto b = k.h.enroll(k.h.makeToken("s2"), "02:00:00:00:00:02");
  REQUIRE(a.isOk());
  REQUIRE(b.isOk());
  uint64_t a0 = policyVersion(checkin(k.h, *a));
  uint64_t b0 = policyVersion(checkin(k.h, *b));
  CHECK(policyVersion(checkin(k.h, *a)) == a0);
  call(k.h, "PUT", "/api/v1/policies/school/s1",
       R"({"policy":{"agent":{"checkin_interval_seconds":30}}})");
  v1::CheckinResponse ra = checkin(k.h, *a);
  CHECK(ra.checkin_interval_seconds() == 30);
  CHECK(policyVersion(ra) > a0);
  v1::CheckinResponse rb = checkin(k.h, *b);
  CHECK(rb.checkin_interval_seconds() == 60);
  CHECK(policyVersion(rb) == b0);
}

TEST_CASE("offline bundle: roots from v1, this terminal's metadata and its artifacts") {
  KeyedCollector k;
  auto agent = k.h.enroll(k.h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  const std::string target = "/api/v1/bundles?terminal=" + agent->terminal_id;
  RawResponse r = call(k.h, "GET", target);  // never checked in: issued now
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.headers["content-type"] == "application/x-protobuf");
  v1::OfflineBundle bundle;
  REQUIRE(bundle.ParseFromString(r.body));
  CHECK(bundle.format() == "xiaoan-bundle-v1");
  REQUIRE(bundle.entries_size() == 1);
  CHECK(bundle.entries(0).agent_id() == agent->agent_id);
  const auto& update = bundle.entries(0).update();
  CHECK(update.roots_size() == 1);
  REQUIRE(bundle.artifacts_size() == 1);
  CHECK(bundle.artifacts(0).sha256() == crypto::sha256(bundle.artifacts(0).data()));
  auto outcome = trust::applyUpdate(k.pinned(), update, {agent->agent_id, k.h.clock().now(), true});
  REQUIRE_MESSAGE(outcome.isOk(), outcome.status().toString());
  auto doc = policy::parsePolicyDocument(bundle.artifacts(0).data(), agent->agent_id);
  REQUIRE(doc.isOk());
  // The same metadata a check-in then hands out (nothing changed in between).
  CHECK(checkin(k.h, *agent).trust().timestamp().SerializeAsString() ==
        update.timestamp().SerializeAsString());
  CHECK(call(k.h, "GET", "/api/v1/bundles?terminal=ffff").status == 404);
}

TEST_CASE("bundles need imported keys") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  RawResponse r = call(h, "GET", "/api/v1/bundles?terminal=" + agent->terminal_id);
  CHECK(r.status == 409);
  CHECK(fromJson<v1::AdminError>(r).error().code() == "E_TRUST_ROOT_MISSING");
}

}  // namespace
}  // namespace xiaoan::collector
