// Limits of the listeners (RELIABILITY.md I6, P2): body and header caps, time-outs,
// connection caps, 503 + Retry-After when the writer is saturated.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <future>
#include <thread>

#include "tests/service/collector/support/collector_harness.h"

namespace xiaoan::collector {
namespace {

using testing::CollectorHarness;
using testing::TlsClient;
using testing::TlsClientOptions;

std::string smallBatch(uint64_t seq) {
  v1::EventBatch b;
  auto* e = b.add_events();
  e->set_stream("activity");
  e->set_epoch(1);
  e->set_seq(seq);
  e->set_priority(v1::PRIORITY_ACTIVITY);
  return b.SerializeAsString();
}

TEST_CASE("a 5 MB body is refused with 413 from its headers alone") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  TlsClient c({h.agentPort(), h.caPem(), agent->identity});
  REQUIRE(c.connect().isOk());
  // Only the headers are sent: the answer must not wait for the 5 MB that never come.
  REQUIRE(c.writeRaw("POST /v1/events HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/x-protobuf\r\nContent-Length: 5242880\r\n\r\n")
              .isOk());
  auto res = c.readResponse();
  REQUIRE(res.isOk());
  CHECK(res->status == 413);
  v1::ErrorResponse err;
  REQUIRE(err.ParseFromString(res->body));
  CHECK(err.error().code() == "E_TOO_LARGE");
}

TEST_CASE("a chunked body growing past the cap is cut with 413") {
  CollectorHarness h;
  TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(c.connect().isOk());
  REQUIRE(c.writeRaw("POST /v1/enroll HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
              .isOk());
  std::string chunk = "8000\r\n" + std::string(0x8000, 'a') + "\r\n";
  Status st = Status::ok();
  for (int i = 0; i < 4 && st.isOk(); ++i) st = c.writeRaw(chunk);  // 128 KiB > 64 KiB cap
  auto res = c.readResponse();
  REQUIRE(res.isOk());
  CHECK(res->status == 413);
}

TEST_CASE("oversized headers -> 431; compressed bodies -> 415; keep-alive works") {
  CollectorHarness h;
  {
    TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
    REQUIRE(c.connect().isOk());
    auto res = c.request("POST", "/v1/enroll", "", {{"X-Filler", std::string(9000, 'x')}});
    REQUIRE(res.isOk());
    CHECK(res->status == 431);
  }
  {
    TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
    REQUIRE(c.connect().isOk());
    auto res = c.request("POST", "/v1/enroll", "xx", {{"Content-Encoding", "gzip"}});
    REQUIRE(res.isOk());
    CHECK(res->status == 415);
  }
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  TlsClient c({h.agentPort(), h.caPem(), agent->identity});
  REQUIRE(c.connect().isOk());
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    auto res = c.request("POST", "/v1/events", smallBatch(seq));
    REQUIRE(res.isOk());
    CHECK(res->status == 200);
  }
}

TEST_CASE("requests refused from their headers never have their body read") {
  CollectorHarness h;
  for (const char* head :
       {"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n",
        "POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\n",
        "GET /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n"}) {
    TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
    REQUIRE(c.connect().isOk());
    REQUIRE(c.writeRaw(head).isOk());
    auto res = c.readResponse();  // answered although the body never comes
    REQUIRE(res.isOk());
    CHECK(res->status >= 400);
  }
  TlsClient admin({h.adminPort(), h.caPem(), std::nullopt});
  REQUIRE(admin.connect().isOk());
  REQUIRE(
      admin.writeRaw("POST /api/v1/schools HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n")
          .isOk());
  auto res = admin.readResponse();
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
}

TEST_CASE("bodies in flight are bounded per listener: beyond the budget -> 503 before reading") {
  CollectorConfig config;
  config.agent_listener.max_body_bytes_in_flight = 100'000;
  CollectorHarness h(config);
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  std::string head = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 80000\r\n\r\n";
  TlsClient slow({h.agentPort(), h.caPem(), agent->identity});
  REQUIRE(slow.connect().isOk());
  REQUIRE(slow.writeRaw(head).isOk());  // holds 80 000 bytes of the budget, sends nothing more
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  TlsClient second({h.agentPort(), h.caPem(), agent->identity});
  REQUIRE(second.connect().isOk());
  REQUIRE(second.writeRaw(head).isOk());
  auto res = second.readResponse();
  REQUIRE(res.isOk());
  CHECK(res->status == 503);
  CHECK(res->headers.count("retry-after") == 1);
  // Small requests that fit the remaining budget still pass.
  auto ok = h.agentCall("/v1/events", smallBatch(1), agent->identity);
  REQUIRE(ok.isOk());
  CHECK(ok->status == 200);
}

TEST_CASE("Expect: 100-continue is answered so large uploads start at once") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  TlsClient c({h.agentPort(), h.caPem(), agent->identity});
  REQUIRE(c.connect().isOk());
  std::string body = smallBatch(1);
  REQUIRE(c.writeRaw("POST /v1/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n")
              .isOk());
  auto interim = c.readResponse();
  REQUIRE(interim.isOk());
  CHECK(interim->status == 100);
  REQUIRE(c.writeRaw(body).isOk());
  auto res = c.readResponse();
  REQUIRE(res.isOk());
  CHECK(res->status == 200);
}

TEST_CASE("TLS below 1.2 is refused") {
  CollectorHarness h;
  TlsClient c({h.agentPort(), h.caPem(), std::nullopt, true});
  CHECK_FALSE(c.connect().isOk());
}

TEST_CASE("a silent peer is cut after the handshake time-out") {
  CollectorConfig config;
  config.agent_listener.handshake_timeout = std::chrono::seconds(1);
  CollectorHarness h(config);
  TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(c.connectTcpOnly().isOk());
  auto start = std::chrono::steady_clock::now();
  CHECK(c.tcpClosedByPeer(std::chrono::milliseconds(5000)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(3000));
}

TEST_CASE("connections beyond the cap are closed at once") {
  CollectorConfig config;
  config.agent_listener.max_connections = 2;
  CollectorHarness h(config);
  TlsClient a({h.agentPort(), h.caPem(), std::nullopt});
  TlsClient b({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(a.connect().isOk());
  REQUIRE(b.connect().isOk());
  TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(c.connectTcpOnly().isOk());
  CHECK(c.tcpClosedByPeer(std::chrono::milliseconds(2000)));
  // The served connections still work.
  auto res = a.request("POST", "/v1/events", smallBatch(1));
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
}

TEST_CASE("one address beyond its cap is closed at once; another address is still served") {
  CollectorConfig config;
  config.agent_listener.max_connections_per_address = 2;
  CollectorHarness h(config);
  TlsClient a({h.agentPort(), h.caPem(), std::nullopt});
  TlsClient b({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(a.connectTcpOnly().isOk());  // idle, never handshaking
  REQUIRE(b.connectTcpOnly().isOk());
  TlsClient c({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(c.connectTcpOnly().isOk());
  CHECK(c.tcpClosedByPeer(std::chrono::milliseconds(2000)));
  TlsClientOptions other{h.agentPort(), h.caPem(), std::nullopt};
  other.source_address = "127.0.0.2";
  TlsClient d(other);
  REQUIRE(d.connect().isOk());
  auto res = d.request("POST", "/v1/events", smallBatch(1));
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
}

TEST_CASE("a silent peer is cut at the TLS handshake deadline; a handshaken one is not") {
  CollectorConfig config;
  config.agent_listener.tls_handshake_timeout = std::chrono::seconds(1);
  config.agent_listener.handshake_timeout = std::chrono::seconds(15);
  CollectorHarness h(config);
  TlsClient silent({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(silent.connectTcpOnly().isOk());
  TlsClient slow({h.agentPort(), h.caPem(), std::nullopt});
  REQUIRE(slow.connect().isOk());
  auto start = std::chrono::steady_clock::now();
  CHECK(silent.tcpClosedByPeer(std::chrono::milliseconds(5000)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500));
  // The handshaken connection sends its first request after the handshake deadline.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto res = slow.request("POST", "/v1/events", smallBatch(1));
  REQUIRE(res.isOk());
  CHECK(res->status == 401);
}

TEST_CASE("a saturated writer answers 503 with Retry-After, and nothing acked is lost") {
  CollectorConfig config;
  config.writer.max_queue_jobs = 1;
  CollectorHarness h(config);
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  // Another connection holds the database write lock: the writer blocks in BEGIN.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((h.dataDir() + "/collector.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto send = [&](uint64_t seq) {
    return std::async(std::launch::async, [&h, &agent, seq] {
      auto r = h.agentCall("/v1/events", smallBatch(seq), agent->identity);
      return r.isOk() ? r->status : -1;
    });
  };
  auto first = send(1);  // taken by the writer, waiting for the lock
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto second = send(2);  // fills the queue
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto third = h.agentCall("/v1/events", smallBatch(3), agent->identity);
  REQUIRE(third.isOk());
  CHECK(third->status == 503);
  REQUIRE(third->headers.count("retry-after") == 1);
  int retry = std::stoi(third->headers["retry-after"]);
  CHECK(retry >= 5);
  CHECK(retry <= 30);
  v1::ErrorResponse err;
  REQUIRE(err.ParseFromString(third->body));
  CHECK(err.error().code() == "E_OVERLOADED");
  CHECK(err.retry_after_seconds() == static_cast<uint32_t>(retry));
  REQUIRE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK(first.get() == 200);
  CHECK(second.get() == 200);
}

TEST_CASE("stop() answers what is queued, then refuses new connections") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  REQUIRE(h.agentCall("/v1/events", smallBatch(1), agent->identity)->status == 200);
  h.stop();
  TlsClient c({h.agentPort(), h.caPem(), agent->identity});
  CHECK_FALSE(c.connect().isOk());
}

}  // namespace
}  // namespace xiaoan::collector
