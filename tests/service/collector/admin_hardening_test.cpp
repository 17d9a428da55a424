// Attacks on the admin API over real TLS (issue 10, findings 8, 9, 11): deep JSON, requests
// serialised behind a slow one, cross-site POSTs, echoed raw bytes, display names, CBC suites.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

#include "common/proto_json.h"
#include "common/text/utf8.h"
#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/collector_harness.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::collector {
namespace {

using testing::CollectorHarness;
using testing::RawResponse;
using Clock = std::chrono::steady_clock;

v1::AdminError errorOf(const RawResponse& r) {
  v1::AdminError e;
  REQUIRE_MESSAGE(parseStrictJson(r.body, &e).isOk(), r.body);
  return e;
}

// The 64 KB body of the finding: {"policy":[[[ ... ]]]} with 32 000 levels.
std::string deepPolicy() {
  constexpr size_t kLevels = 32'000;
  return R"({"policy":)" + std::string(kLevels, '[') + std::string(kLevels, ']') + "}";
}

TEST_CASE("finding 8: 32 000 levels of JSON are refused before parsing, at once") {
  CollectorHarness h;
  REQUIRE(h.admin("POST", "/api/v1/schools", R"({"id":"s1","name":"测试学校"})")->status == 200);
  auto t0 = Clock::now();
  auto deep = h.admin("PUT", "/api/v1/policies/school/s1", deepPolicy());
  REQUIRE(deep.isOk());
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));  // the landed tree took > 115 s
  CHECK(deep->status == 413);
  CHECK(errorOf(*deep).error().code() == "E_TOO_LARGE");
  CHECK(errorOf(*deep).error().message().find("deeper than 32") != std::string::npos);
  for (const char* path : {"/api/v1/schools", "/api/v1/tokens"}) {
    auto r = h.admin("POST", path, R"({"id":)" + std::string(5000, '[') + "}");
    REQUIRE(r.isOk());
    CHECK(r->status == 413);
  }
  CHECK(h.admin("GET", "/api/v1/schools")->status == 200);
}

TEST_CASE("finding 8: a request stuck in the database does not hold up the others") {
  CollectorHarness h;
  // A write lock held elsewhere: the school insert waits in SQLite's busy handler (10 s).
  auto other = SqliteStore::open(h.dataDir() + "/collector.db", false);
  REQUIRE(other.isOk());
  auto lock = (*other)->beginWrite();
  REQUIRE(lock.isOk());
  auto stuck = std::async(std::launch::async, [&h] {
    return h.admin("POST", "/api/v1/schools", R"({"id":"s1","name":"测试学校"})");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the insert is waiting now
  auto t0 = Clock::now();
  // On one worker this waited for the busy insert (10 s), past this client's 4 s.
  auto listed = h.adminWith("GET", "/api/v1/schools", "", {}, std::chrono::seconds(4));
  REQUIRE_MESSAGE(listed.isOk(), listed.status().toString());
  CHECK(listed->status == 200);
  CHECK(Clock::now() - t0 < std::chrono::seconds(2));
  CHECK(stuck.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  lock->reset();  // rolls back: the insert goes through
  auto inserted = stuck.get();
  REQUIRE(inserted.isOk());
  CHECK(inserted->status == 200);
}

TEST_CASE("finding 8: admin work is bounded: beyond the pending cap 503 with Retry-After") {
  CollectorConfig config;
  config.admin.workers = 2;
  config.admin.max_pending = 3;
  CollectorHarness h(config);
  auto other = SqliteStore::open(h.dataDir() + "/collector.db", false);
  REQUIRE(other.isOk());
  auto lock = (*other)->beginWrite();
  REQUIRE(lock.isOk());
  std::vector<std::future<Result<RawResponse>>> waiting;
  for (int i = 0; i < 3; ++i) {  // two run (waiting for the lock), one is queued
    waiting.push_back(std::async(std::launch::async, [&h, i] {
      return h.admin("POST", "/api/v1/schools",
                     R"({"id":"s)" + std::to_string(i) + R"(","name":"学校"})");
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  auto refused = h.adminWith("GET", "/api/v1/schools", "", {{"Accept-Language", "en"}});
  REQUIRE(refused.isOk());
  CHECK(refused->status == 503);
  CHECK(refused->headers.count("retry-after") == 1);
  CHECK(errorOf(*refused).error().code() == "E_OVERLOADED");
  CHECK(errorOf(*refused).error().message() == "too many admin requests in progress; retry later");
  lock->reset();
  for (auto& w : waiting) CHECK(w.get()->status == 200);
  CHECK(h.admin("GET", "/api/v1/schools")->status == 200);
}

TEST_CASE("finding 9: POST/PUT need Content-Type: application/json; refused before the body") {
  CollectorHarness h;
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonp", ""}) {
    CAPTURE(type);
    auto r = h.adminWith("POST", "/api/v1/schools", R"({"id":"s1","name":"学校"})",
                         {{"Content-Type", type}});
    REQUIRE(r.isOk());
    CHECK(r->status == 415);
    CHECK(errorOf(*r).error().code() == "E_PROTOCOL");
    CHECK(errorOf(*r).error().message().find("Content-Type: application/json") !=
          std::string::npos);
  }
  auto put =
      h.adminWith("PUT", "/api/v1/policies/school/s1", "{}", {{"Content-Type", "text/plain"}});
  CHECK(put->status == 415);
  CHECK(h.admin("GET", "/api/v1/schools")->body.find("s1") == std::string::npos);  // nothing made
  // Refused from the headers alone: answered although the body never comes.
  testing::TlsClient raw({h.adminPort(), h.caPem(), std::nullopt});
  REQUIRE(raw.connect().isOk());
  REQUIRE(raw.writeRaw("POST /api/v1/schools HTTP/1.1\r\nHost: x\r\nAuthorization: Basic eDp5\r\n"
                       "Content-Type: text/plain\r\nContent-Length: 60000\r\n\r\n")
              .isOk());
  auto early = raw.readResponse();
  REQUIRE(early.isOk());
  CHECK(early->status == 415);
  auto ok = h.adminWith("POST", "/api/v1/schools", R"({"id":"s1","name":"学校"})",
                        {{"Content-Type", "Application/JSON; charset=utf-8"}});
  CHECK(ok->status == 200);
}

TEST_CASE("finding 9: no WWW-Authenticate challenge, so browsers never prompt for Basic") {
  CollectorHarness h;
  auto wrong = h.admin("GET", "/api/v1/schools", "", "admin", "nope");
  REQUIRE(wrong.isOk());
  CHECK(wrong->status == 401);
  CHECK(wrong->headers.count("www-authenticate") == 0);
  auto none = h.adminWith("POST", "/api/v1/schools", "{}", {{"Authorization", ""}});
  REQUIRE(none.isOk());
  CHECK(none->status == 401);
  CHECK(none->headers.count("www-authenticate") == 0);
}

TEST_CASE("finding 11: error answers never echo raw bytes and are always valid UTF-8 JSON") {
  CollectorHarness h;
  // Invalid UTF-8 (protobuf's printer passes the overlong C0 AF through raw), ESC, U+202E.
  const std::string nasty = "\xff\xfe\x1b[31m\xe2\x80\xae\xc0\xaf";
  auto query = h.admin("GET", "/api/v1/events?%FF%FE%1B%5B31m%E2%80%AE%C0%AF=1");
  auto body = h.admin("POST", "/api/v1/schools", R"({"id":"s1","name":")" + nasty + R"("})");
  auto syntax = h.admin("POST", "/api/v1/schools", R"({"id":)" + nasty + "}");
  auto policy = h.admin("PUT", "/api/v1/policies/school/s1", R"({"policy":{")" + nasty + "\":1}}");
  for (const auto* r : {&query, &body, &syntax, &policy}) {
    REQUIRE(r->isOk());
    CAPTURE((*r)->body);
    CHECK((*r)->status == 400);
    CHECK(isWellFormedUtf8((*r)->body));
    CHECK((*r)->body.find('\x1b') == std::string::npos);
    CHECK((*r)->body.find("\xe2\x80\xae") == std::string::npos);
    CHECK((*r)->body.find("\\u001b") == std::string::npos);  // not even escaped
    errorOf(**r);                                            // parses as JSON
  }
}

TEST_CASE("finding 11: school and room names refuse NUL, controls, bidi, invalid UTF-8, '..'") {
  CollectorHarness h;
  auto agent = h.enroll(h.makeToken("s1"), "02:00:00:00:00:01");
  REQUIRE(agent.isOk());
  for (std::string name : {"a\\u0000b", "a\\nb", "a\\u202Eb", "a\\u2066b",
                           "a\xff"
                           "b",
                           "../x", "x..y", "\\u007f"}) {
    CAPTURE(name);
    auto school = h.admin("POST", "/api/v1/schools", R"({"id":"s2","name":")" + name + R"("})");
    REQUIRE(school.isOk());
    CHECK(school->status == 400);
    auto room = h.admin("PUT", "/api/v1/terminals/" + agent->terminal_id + "/room",
                        R"({"room":")" + name + R"("})");
    REQUIRE(room.isOk());
    CHECK(room->status == 400);
  }
  auto zh = h.admin("POST", "/api/v1/schools", R"({"id":"s2","name":"实验\u202E小学"})");
  CHECK(errorOf(*zh).error().message().find("学校名称不能包含改变文字方向的字符") == 0);
  auto en = h.adminWith("PUT", "/api/v1/terminals/" + agent->terminal_id + "/room",
                        R"({"room":"JF..2"})", {{"Accept-Language", "en-US,en;q=0.9"}});
  CHECK(errorOf(*en).error().message() == "room name must not contain \"..\"");
  CHECK(
      h.admin("POST", "/api/v1/schools", R"j({"id":"s2","name":"厦门实验小学 (分校)"})j")->status ==
      200);
  CHECK(h.admin("PUT", "/api/v1/terminals/" + agent->terminal_id + "/room", R"({"room":"机房 2"})")
            ->status == 200);
}

TEST_CASE("finding 11: both listeners refuse TLS 1.2 CBC suites and accept AEAD ones") {
  CollectorHarness h;
  for (uint16_t port : {h.agentPort(), h.adminPort()}) {
    CAPTURE(port);
    for (const char* cbc :
         {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"}) {
      testing::TlsClientOptions options{port, h.caPem(), std::nullopt};
      options.tls12_ciphers = cbc;
      testing::TlsClient c(options);
      CHECK_FALSE(c.connect().isOk());
    }
    for (const char* aead : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                             "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
      testing::TlsClientOptions options{port, h.caPem(), std::nullopt};
      options.tls12_ciphers = aead;
      testing::TlsClient c(options);
      CHECK(c.connect().isOk());
    }
  }
}

}  // namespace
}  // namespace xiaoan::collector
