// In-process integration: the whole collector over real TLS on loopback with a real SQLite
// file; enrollment through libcurl (platform HttpClient) as the agent does it.
#include <doctest/doctest.h>

#include "common/crypto/pki.h"
#include "platform/net/http_client.h"
#include "service/collector/store/sqlite_store.h"
#include "service/collector/trust/pki_store.h"
#include "tests/service/collector/support/collector_harness.h"

namespace xiaoan::collector {
namespace {

using testing::CollectorHarness;
using testing::TestAgent;

v1::Event event(const std::string& stream, uint64_t epoch, uint64_t seq,
                const std::string& claimed = "") {
  v1::Event e;
  e.set_stream(stream);
  e.set_epoch(epoch);
  e.set_seq(seq);
  e.set_priority(stream == "security" ? v1::PRIORITY_SECURITY : v1::PRIORITY_ACTIVITY);
  e.set_claimed_agent_id(claimed);
  e.mutable_diagnostic()->set_request_id("it");
  e.mutable_diagnostic()->set_index(static_cast<uint32_t>(seq));
  return e;
}

std::string batch(const std::string& stream, uint64_t epoch, uint64_t first, uint64_t last,
                  const std::string& claimed = "") {
  v1::EventBatch b;
  for (uint64_t s = first; s <= last; ++s) *b.add_events() = event(stream, epoch, s, claimed);
  return b.SerializeAsString();
}

v1::ErrorResponse errorOf(const testing::RawResponse& r) {
  v1::ErrorResponse e;
  REQUIRE(e.ParseFromString(r.body));
  return e;
}

std::unique_ptr<SqliteStore> openDb(const CollectorHarness& h) {
  auto s = SqliteStore::open(h.dataDir() + "/collector.db", false);
  REQUIRE(s.isOk());
  return std::move(*s);
}

TEST_CASE("enroll, check in and report over mTLS with libcurl") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE_MESSAGE(agent.isOk(), agent.status().toString());
  CHECK(agent->agent_id.size() == 32);
  CHECK(agent->response.school_id() == "s1");
  CHECK(agent->response.ca_bundle_pem() == h.caPem());
  auto info = pki::inspectCertificate(agent->identity.cert_pem);
  REQUIRE(info.isOk());
  CHECK(info->subject_cn == agent->agent_id);
  CHECK(info->not_after - info->not_before > std::chrono::hours(24 * 364));

  HttpClientOptions opts;
  opts.ca_file = h.caFile();
  opts.client_cert_file = agent->cert_file;
  opts.client_key_file = agent->key_file;
  HttpClient http(opts);
  std::string base = "https://127.0.0.1:" + std::to_string(h.agentPort());

  v1::CheckinRequest checkin;
  checkin.set_agent_version("0.1.0");
  checkin.mutable_facts()->set_hostname("JF2-07");
  checkin.add_spool()->set_pending_records(3);
  auto res = http.post(base + "/v1/checkin", "application/x-protobuf", checkin.SerializeAsString());
  REQUIRE(res.isOk());
  REQUIRE(res->status == 200);
  v1::CheckinResponse cr;
  REQUIRE(cr.ParseFromString(res->body));
  CHECK(cr.checkin_interval_seconds() == 60);
  CHECK(cr.terminal_id() == agent->terminal_id);
  CHECK(cr.acks_size() == 0);
  CHECK(cr.server_time().seconds() > 0);

  res = http.post(base + "/v1/events", "application/x-protobuf", batch("activity", 77, 1, 3));
  REQUIRE(res.isOk());
  REQUIRE(res->status == 200);
  v1::EventBatchResponse er;
  REQUIRE(er.ParseFromString(res->body));
  CHECK(er.stored() == 3);
  REQUIRE(er.acks_size() == 1);
  CHECK(er.acks(0).epoch() == 77);
  CHECK(er.acks(0).seq() == 3);

  res = http.post(base + "/v1/checkin", "application/x-protobuf", checkin.SerializeAsString());
  REQUIRE(res.isOk());
  REQUIRE(cr.ParseFromString(res->body));
  REQUIRE(cr.acks_size() == 1);
  CHECK(cr.acks(0).stream() == "activity");
  CHECK(cr.acks(0).seq() == 3);

  auto terminals = openDb(h)->listTerminals("s1");
  REQUIRE(terminals.isOk());
  REQUIRE(terminals->size() == 1);
  CHECK((*terminals)[0].hostname == "JF2-07");
  CHECK((*terminals)[0].spool_pending == 3);
  CHECK((*terminals)[0].events_stored == 3);
}

TEST_CASE("expired, revoked, used-up and unknown tokens get 401") {
  CollectorHarness h;
  std::string once = h.makeToken("s1", R"(,"max_uses":1)");
  REQUIRE(h.enroll(once, "02:00:00:00:00:01").isOk());
  auto again = h.enroll(once, "02:00:00:00:00:02");
  CHECK(again.status().message().find("401") != std::string::npos);

  std::string short_lived = h.makeToken("s1", R"(,"ttl_seconds":60)");
  h.clock().advance(std::chrono::seconds(61));
  CHECK(h.enroll(short_lived, "02:00:00:00:00:03").status().message().find("401") !=
        std::string::npos);

  std::string revoked = h.makeToken("s1");
  std::string id = revoked.substr(0, revoked.find('.'));
  auto r = h.admin("POST", "/api/v1/tokens/" + id + "/revoke");
  REQUIRE(r.isOk());
  CHECK(r->status == 200);
  CHECK(h.enroll(revoked, "02:00:00:00:00:04").status().message().find("401") != std::string::npos);

  for (const char* bad : {"garbage.token", "0123.wrongsecret", "no-dot"}) {
    auto res = h.enroll(bad, "02:00:00:00:00:05");
    CHECK(res.status().message().find("401") != std::string::npos);
  }
  // Secret of a real token id with the wrong secret.
  CHECK(h.enroll(id + ".ffff", "02:00:00:00:00:06").status().message().find("401") !=
        std::string::npos);
}

TEST_CASE("mTLS endpoints: no certificate -> 401, foreign CA -> handshake refused") {
  CollectorHarness h;
  for (const char* path : {"/v1/events", "/v1/checkin"}) {
    auto res = h.agentCall(path, batch("activity", 1, 1, 1), std::nullopt);
    REQUIRE(res.isOk());
    CHECK(res->status == 401);
    CHECK(errorOf(*res).error().code() == "E_UNAUTHORIZED");
  }
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  // Same CN as a real agent, but signed by someone else: the handshake fails (with TLS 1.3
  // the client sees it at the first read); no HTTP answer ever arrives.
  auto rogue = h.agentCall("/v1/events", batch("activity", 1, 1, 1),
                           testing::foreignIdentity(agent->agent_id));
  CHECK_FALSE(rogue.isOk());
  EventQuery q;
  CHECK(openDb(h)->listEvents(q)->empty());
}

TEST_CASE("a certificate of this CA for an agent that is not enrolled gets 401") {
  CollectorHarness h;
  auto pki = PkiStore::load(h.dataDir());
  REQUIRE(pki.isOk());
  auto key = pki::PrivateKey::generateEcP256();
  REQUIRE(key.isOk());
  auto cert =
      (*pki)->issueAgentCertificate(*key->publicKeyDer(), "0123456789abcdef0123456789abcdef");
  REQUIRE(cert.isOk());
  testing::ClientIdentity id{cert->pem, *key->toPem()};
  auto res = h.agentCall("/v1/events", batch("activity", 1, 1, 1), id);
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
  res = h.agentCall("/v1/checkin", v1::CheckinRequest().SerializeAsString(), id);
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
}

TEST_CASE("a batch claiming another agent is stored under the certificate's id + security_alert") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  std::string other(32, 'b');
  auto res = h.agentCall("/v1/events", batch("security", 5, 1, 2, other), agent->identity);
  REQUIRE(res.isOk());
  REQUIRE(res->status == 200);
  auto db = openDb(h);
  EventQuery q;
  auto all = db->listEvents(q);
  REQUIRE(all.isOk());
  REQUIRE(all->size() == 3);
  for (const auto& e : *all) CHECK(e.agent_id == agent->agent_id);
  q.type = "security_alert";
  auto alerts = db->listEvents(q);
  REQUIRE(alerts.isOk());
  REQUIRE(alerts->size() == 1);
  const auto& json = (*alerts)[0].payload_json;
  CHECK(json.find("\"code\":\"E_FORBIDDEN\"") != std::string::npos);
  CHECK(json.find(other) != std::string::npos);
  CHECK(json.find(agent->agent_id) != std::string::npos);
  CHECK(json.find("127.0.0.1:") != std::string::npos);
  // Claiming its own id is not an alert.
  res = h.agentCall("/v1/events", batch("security", 5, 3, 3, agent->agent_id), agent->identity);
  REQUIRE(res.isOk());
  CHECK(db->listEvents(q)->size() == 1);
}

TEST_CASE("a replayed batch is stored once and reported as duplicates") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  std::string body = batch("activity", 4242, 1, 500);
  v1::EventBatchResponse first;
  v1::EventBatchResponse second;
  auto res = h.agentCall("/v1/events", body, agent->identity);
  REQUIRE(res.isOk());
  REQUIRE(first.ParseFromString(res->body));
  res = h.agentCall("/v1/events", body, agent->identity);
  REQUIRE(res.isOk());
  REQUIRE(res->status == 200);
  REQUIRE(second.ParseFromString(res->body));
  CHECK(first.stored() == 500);
  CHECK(first.duplicates() == 0);
  CHECK(second.stored() == 0);
  CHECK(second.duplicates() == 500);
  REQUIRE(second.acks_size() == 1);
  CHECK(second.acks(0).seq() == 500);
  EventQuery q;
  q.limit = 10000;
  CHECK(openDb(h)->listEvents(q)->size() == 500);
}

TEST_CASE("re-enrollment of a known MAC keeps the terminal and returns its acks") {
  CollectorHarness h;
  std::string token = h.makeToken("s1", R"(,"max_uses":2)");
  auto first = h.enroll(token, "02:00:00:00:00:0a");
  REQUIRE(first.isOk());
  REQUIRE(h.agentCall("/v1/events", batch("activity", 9, 1, 30), first->identity)->status == 200);
  REQUIRE(h.agentCall("/v1/events", batch("security", 8, 1, 4), first->identity)->status == 200);
  auto second = h.enroll(token, "02:00:00:00:00:0A");
  REQUIRE(second.isOk());
  CHECK(second->agent_id != first->agent_id);
  CHECK(second->terminal_id == first->terminal_id);
  REQUIRE(second->response.acks_size() == 2);
  for (const auto& ack : second->response.acks()) {
    CHECK(ack.seq() == (ack.stream() == "activity" ? 30u : 4u));
    CHECK(ack.epoch() == (ack.stream() == "activity" ? 9u : 8u));
  }
}

TEST_CASE("bad bodies: garbage -> 400 E_PROTOCOL, invalid event -> 400, bad CSR -> 400") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  auto res = h.agentCall("/v1/events", "\xff\xfe garbage \x01", agent->identity);
  REQUIRE(res.isOk());
  CHECK(res->status == 400);
  CHECK(errorOf(*res).error().code() == "E_PROTOCOL");
  v1::EventBatch b;
  *b.add_events() = event("activity", 1, 1);
  *b.add_events() = event("activity", 1, 0);  // seq 0 is invalid: the whole batch is refused
  res = h.agentCall("/v1/events", b.SerializeAsString(), agent->identity);
  REQUIRE(res.isOk());
  CHECK(res->status == 400);
  EventQuery q;
  CHECK(openDb(h)->listEvents(q)->empty());
  v1::EnrollRequest enroll;
  enroll.set_token(h.makeToken("s1"));
  enroll.set_csr_pem(
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
  res = h.agentCall("/v1/enroll", enroll.SerializeAsString(), std::nullopt);
  REQUIRE(res.isOk());
  CHECK(res->status == 400);
  res = h.agentCall("/v1/nothing", "", std::nullopt);
  REQUIRE(res.isOk());
  CHECK(res->status == 404);
}

}  // namespace
}  // namespace xiaoan::collector

namespace xiaoan::collector {
namespace {

std::string enrollBody(const std::string& token, const std::string& csr, int i) {
  v1::EnrollRequest req;
  req.set_token(token);
  req.set_csr_pem(csr);
  req.set_agent_version("attack");
  req.mutable_facts()->set_hostname("fake-" + std::to_string(i));
  char mac[32];
  std::snprintf(mac, sizeof mac, "02:00:00:00:%02x:%02x", (i >> 8) & 0xff, i & 0xff);
  req.mutable_facts()->add_interfaces()->set_mac(mac);
  return req.SerializeAsString();
}

// The attack of issue 10 (300 fake terminals in 0.21 s with one token), over real TLS: a
// reusable token with room for all of them, yet only the burst of the token's rate limit gets
// through; the rest get 429 E_RATE_LIMITED with Retry-After and nothing is stored for them.
TEST_CASE("issue 10: 300 enrollments with one token in a burst are refused after the limit") {
  testing::CollectorHarness h;
  const std::string token = h.makeToken("s1", R"(,"max_uses":1000)");
  auto key = pki::PrivateKey::generateEcP256();
  REQUIRE(key.isOk());
  auto csr = pki::makeCsrPem(*key, "pending");
  REQUIRE(csr.isOk());
  int ok = 0, limited = 0;
  for (int i = 0; i < 300; ++i) {
    auto res = h.agentCall("/v1/enroll", enrollBody(token, *csr, i), std::nullopt);
    REQUIRE(res.isOk());
    if (res->status == 200) {
      ++ok;
      continue;
    }
    REQUIRE(res->status == 429);
    ++limited;
    v1::ErrorResponse e;
    REQUIRE(e.ParseFromString(res->body));
    CHECK(e.error().code() == "E_RATE_LIMITED");
    // 1 s once the loopback address is over its own limit too, 2 s for the token alone.
    const std::string wait = res->headers["retry-after"];
    CHECK((wait == "1" || wait == "2"));
  }
  CHECK(ok == 30);
  CHECK(limited == 270);
  auto tokens = openDb(h)->listTokens("s1");
  REQUIRE(tokens.isOk());
  REQUIRE(tokens->size() == 1);
  CHECK((*tokens)[0].uses == 30);
  // The token's rate comes back with time (the harness clock is the collector's).
  h.clock().advance(std::chrono::seconds(2));
  CHECK(h.agentCall("/v1/enroll", enrollBody(token, *csr, 300), std::nullopt)->status == 200);
}

TEST_CASE("a token created without max_uses enrolls one PC") {
  testing::CollectorHarness h;
  const std::string token = h.makeToken("s1");
  REQUIRE(h.enroll(token, "02:00:00:00:00:01").isOk());
  auto again = h.enroll(token, "02:00:00:00:00:02");
  CHECK(again.status().message().find("401") != std::string::npos);
}

}  // namespace
}  // namespace xiaoan::collector
