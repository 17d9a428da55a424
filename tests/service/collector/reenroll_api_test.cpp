// Issue 10, finding 1: a local user read the token and the MAC, enrolled and took over the PC's
// identity. Re-enrollment of a known terminal is compared beyond the MAC, recorded as a
// security_alert and, under REENROLL_POLICY_APPROVE, held until an admin approves it. Whole
// collector over real TLS on loopback with a real SQLite file.
#include <doctest/doctest.h>

#include "common/crypto/pki.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/collector_harness.h"

namespace xiaoan::collector {
namespace {

using testing::CollectorHarness;

constexpr const char* kMac = "02:00:00:00:00:01";
constexpr const char* kUuid = "4c4c4544-0051-3510-8057-b4c04f4e4d32";
constexpr const char* kMachineId = "0f3c6b1d2a9e4c8b8e7d6c5b4a392817";

// One agent instance: a key of its own and the host facts it reports.
struct Instance {
  pki::PrivateKey key;
  std::string smbios_uuid;
  std::string machine_id = kMachineId;

  static Instance make(std::string uuid) {
    auto key = pki::PrivateKey::generateEcP256();
    REQUIRE(key.isOk());
    return Instance{std::move(*key), std::move(uuid)};
  }
};

// POST /v1/enroll for `who` claiming kMac; the raw answer.
testing::RawResponse enroll(CollectorHarness& h, const std::string& token, const Instance& who) {
  auto csr = pki::makeCsrPem(who.key, "pending");
  REQUIRE(csr.isOk());
  v1::EnrollRequest req;
  req.set_token(token);
  req.set_csr_pem(*csr);
  req.set_agent_version("test");
  req.mutable_facts()->set_hostname("JF2-07");
  req.mutable_facts()->add_interfaces()->set_mac(kMac);
  req.mutable_facts()->set_smbios_uuid(who.smbios_uuid);
  req.mutable_facts()->set_machine_id(who.machine_id);
  auto res = h.agentCall("/v1/enroll", req.SerializeAsString(), std::nullopt);
  REQUIRE(res.isOk());
  return *res;
}

std::string agentIdOf(const testing::RawResponse& r) {
  REQUIRE(r.status == 200);
  v1::EnrollResponse e;
  REQUIRE(e.ParseFromString(r.body));
  return e.agent_id();
}

std::string errorCodeOf(const testing::RawResponse& r) {
  v1::ErrorResponse e;
  REQUIRE(e.ParseFromString(r.body));
  return e.error().code();
}

struct Fixture {
  CollectorHarness h;
  std::string token = h.makeToken("s1", R"(,"max_uses":10)");
  std::unique_ptr<SqliteStore> db;
  Instance pc = Instance::make(kUuid);
  std::string pc_agent;

  Fixture() {
    auto s = SqliteStore::open(h.dataDir() + "/collector.db", false);
    REQUIRE(s.isOk());
    db = std::move(*s);
    pc_agent = agentIdOf(enroll(h, token, pc));
  }
  void setPolicy(const std::string& policy) {
    auto r = h.admin("POST", "/api/v1/schools/s1/reenroll-policy",
                     R"({"policy":"REENROLL_POLICY_)" + policy + "\"}");
    REQUIRE(r.isOk());
    REQUIRE_MESSAGE(r->status == 200, r->body);
  }
  std::string terminalAgent() {
    auto t = db->listTerminals("s1");
    REQUIRE(t.isOk());
    REQUIRE(t->size() == 1);
    return (*t)[0].agent_id;
  }
  std::vector<StoredEventRow> alerts() {
    EventQuery q;
    q.type = "security_alert";
    auto e = db->listEvents(q);
    REQUIRE(e.isOk());
    return *e;
  }
  uint32_t tokenUses() {
    auto t = db->listTokens("s1");
    REQUIRE(t.isOk());
    return (*t)[0].uses;
  }
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("auto: a student's instance with the PC's MAC is linked, but as a security event") {
  Fixture f;
  CHECK(f.alerts().empty());  // a first enrollment is no re-enrollment
  // The attacker runs without root: no SMBIOS UUID, a key of its own, the readable machine id.
  Instance student = Instance::make("");
  const std::string fake = agentIdOf(enroll(f.h, f.token, student));
  CHECK(f.terminalAgent() == fake);
  auto alerts = f.alerts();
  REQUIRE(alerts.size() == 1);
  const std::string& json = alerts[0].payload_json;
  CHECK(alerts[0].agent_id == f.pc_agent);  // filed under the terminal's instance
  CHECK(has(json, R"("outcome":"linked")"));
  CHECK(has(json, R"("policy":"auto")"));
  CHECK(has(json, R"("mismatched":["key","smbios_uuid"])"));
  CHECK(has(json, R"("previous_agent_id":")" + f.pc_agent));
  CHECK(has(json, R"("new_agent_id":")" + fake));
}

TEST_CASE("approve: the takeover is held until an admin approves it") {
  Fixture f;
  f.setPolicy("APPROVE");
  Instance student = Instance::make("");
  auto first = enroll(f.h, f.token, student);
  CHECK(first.status == 403);
  CHECK(errorCodeOf(first) == "E_ENROLL_PENDING");
  // Nothing changed hands and the token was not used; the attempt is a security event.
  CHECK(f.terminalAgent() == f.pc_agent);
  CHECK(f.tokenUses() == 1);
  REQUIRE(f.alerts().size() == 1);
  CHECK(has(f.alerts()[0].payload_json, R"("outcome":"held")"));
  // Retries stay held and do not flood the event log.
  CHECK(enroll(f.h, f.token, student).status == 403);
  CHECK(f.alerts().size() == 1);
  // A re-imaged PC (its real facts, a new key) waits the same way.
  f.h.clock().advance(std::chrono::seconds(1));
  Instance reimaged = Instance::make(kUuid);
  CHECK(enroll(f.h, f.token, reimaged).status == 403);
  auto pending = f.db->listPendingEnrollments("s1");
  REQUIRE(pending.isOk());
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].attempts == 2);
  CHECK((*pending)[1].mismatched == std::vector<std::string>{"key"});
  SUBCASE("an approved instance is linked at its next attempt") {
    auto list = f.h.admin("GET", "/api/v1/enrollments/pending?school=s1");
    REQUIRE(list.isOk());
    CHECK(has(list->body, R"("mismatched":["key"])"));
    auto r =
        f.h.admin("POST", "/api/v1/enrollments/pending/" + (*pending)[1].id + "/approve", "{}");
    REQUIRE(r.isOk());
    CHECK(r->status == 200);
    const std::string linked = agentIdOf(enroll(f.h, f.token, reimaged));
    CHECK(f.terminalAgent() == linked);
    CHECK(f.tokenUses() == 2);
    CHECK(has(f.alerts().back().payload_json, R"("outcome":"approved")"));
    auto left = f.db->listPendingEnrollments("s1");
    REQUIRE(left.isOk());
    CHECK(left->size() == 1);  // the student's stays pending
  }
  SUBCASE("unknown ids are 404") {
    auto r = f.h.admin("POST", "/api/v1/enrollments/pending/00ff/approve", "{}");
    REQUIRE(r.isOk());
    CHECK(r->status == 404);
  }
}

TEST_CASE("approve: the instance whose state survived (same key) is linked at once") {
  Fixture f;
  f.setPolicy("APPROVE");
  const std::string again = agentIdOf(enroll(f.h, f.token, f.pc));
  CHECK(f.terminalAgent() == again);
  REQUIRE(f.alerts().size() == 1);
  CHECK(has(f.alerts()[0].payload_json, R"("mismatched":[])"));
  CHECK(has(f.alerts()[0].payload_json, R"("outcome":"linked")"));
}

TEST_CASE("the policy is per school, listed with the school, and checked") {
  Fixture f;
  f.setPolicy("APPROVE");
  auto schools = f.h.admin("GET", "/api/v1/schools");
  REQUIRE(schools.isOk());
  CHECK(has(schools->body, R"("reenroll_policy":"REENROLL_POLICY_APPROVE")"));
  auto bad = f.h.admin("POST", "/api/v1/schools/s1/reenroll-policy",
                       R"({"policy":"REENROLL_POLICY_UNSPECIFIED"})");
  REQUIRE(bad.isOk());
  CHECK(bad->status == 400);
  auto missing = f.h.admin("POST", "/api/v1/schools/nope/reenroll-policy",
                           R"({"policy":"REENROLL_POLICY_AUTO"})");
  REQUIRE(missing.isOk());
  CHECK(missing->status == 404);
  // Another school keeps AUTO.
  const std::string other = f.h.makeToken("s2", R"(,"max_uses":5)");
  Instance a = Instance::make(kUuid);
  REQUIRE(enroll(f.h, other, a).status == 200);
  CHECK(enroll(f.h, other, Instance::make("")).status == 200);
}

}  // namespace
}  // namespace xiaoan::collector
