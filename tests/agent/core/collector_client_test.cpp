#include "agent/core/collector_client.h"

#include <doctest/doctest.h>

#include "tests/agent/core/fakes.h"
#include "tests/platform/net/tls_test_server.h"

namespace xiaoan::agent {
namespace {

using xiaoan::testing::httpResponse;
using xiaoan::testing::TestPki;
using xiaoan::testing::TestRequest;
using xiaoan::testing::TlsTestServer;

constexpr const char* kPb = "application/x-protobuf";

struct ClientFixture {
  testing::TempDir dir;
  TestPki pki = TestPki::create("collector CA");
  std::pair<std::string, std::string> server =
      pki.issue("collector", {"localhost"}, {"127.0.0.1"}, true);
  std::pair<std::string, std::string> agent = pki.issue("agent-42", {}, {}, false);

  CollectorClientOptions options(const TlsTestServer& srv, bool mtls = true) const {
    CollectorClientOptions o;
    o.base_url = "https://127.0.0.1:" + std::to_string(srv.port());
    o.ca_file = dir.write("ca.pem", pki.ca_pem);
    if (mtls) {
      o.cert_file = dir.write("agent.pem", agent.first);
      o.key_file = dir.write("agent.key", agent.second);
    }
    o.total_timeout = std::chrono::seconds(5);
    return o;
  }
  TlsTestServer serve(std::function<std::string(const TestRequest&)> handler,
                      bool require_client_cert = true) {
    return TlsTestServer({server.first, server.second, require_client_cert ? pki.ca_pem : ""},
                         std::move(handler));
  }
};

std::string errorBody(const std::string& code, uint32_t retry_after = 0) {
  v1::ErrorResponse e;
  e.mutable_error()->set_code(code);
  e.mutable_error()->set_message("detail from server");
  e.set_retry_after_seconds(retry_after);
  return e.SerializeAsString();
}

TEST_CASE("check-in round trip over mutual TLS with protobuf bodies") {
  ClientFixture f;
  auto srv = f.serve([](const TestRequest& r) {
    v1::CheckinRequest req;
    if (r.target != "/v1/checkin" || !req.ParseFromString(r.body)) {
      return httpResponse(400, kPb, errorBody("E_PROTOCOL"));
    }
    v1::CheckinResponse resp;
    resp.set_checkin_interval_seconds(120);
    resp.set_terminal_id("term-" + req.agent_version());
    return httpResponse(200, kPb, resp.SerializeAsString());
  });
  CollectorClient client(f.options(srv));
  v1::CheckinRequest req;
  req.set_agent_version("7");
  auto r = client.checkin(req);
  REQUIRE_MESSAGE(r.isOk(), r.status().toString());
  CHECK(r->checkin_interval_seconds() == 120);
  CHECK(r->terminal_id() == "term-7");
  CHECK(srv.requests().at(0).client_cn == "agent-42");
  CHECK(srv.requests().at(0).headers.find("Content-Type: application/x-protobuf") !=
        std::string::npos);
}

TEST_CASE("enrollment goes out without a client certificate") {
  ClientFixture f;
  auto srv = f.serve(
      [](const TestRequest& r) {
        v1::EnrollResponse resp;
        resp.set_agent_id(r.had_client_cert ? "unexpected" : "new-agent");
        return httpResponse(200, kPb, resp.SerializeAsString());
      },
      false);
  CollectorClient client(f.options(srv, false));
  auto r = client.enroll(v1::EnrollRequest());
  REQUIRE(r.isOk());
  CHECK(r->agent_id() == "new-agent");
}

TEST_CASE("HTTP error statuses map to stable codes with the server's detail") {
  ClientFixture f;
  long status = 0;
  auto srv = f.serve([&](const TestRequest&) {
    if (status == 503 || status == 429) {
      return httpResponse(static_cast<int>(status), kPb, errorBody("E_OVERLOADED", 30),
                          "Retry-After: 12\r\n");
    }
    return httpResponse(static_cast<int>(status), kPb, errorBody("E_X"));
  });
  CollectorClient client(f.options(srv));
  const std::pair<long, ErrorCode> cases[] = {
      {400, ErrorCode::kProtocol},   {401, ErrorCode::kUnauthorized},
      {403, ErrorCode::kForbidden},  {413, ErrorCode::kTooLarge},
      {500, ErrorCode::kHttpStatus}, {404, ErrorCode::kHttpStatus},
      {503, ErrorCode::kOverloaded}, {302, ErrorCode::kHttpStatus},
      {429, ErrorCode::kRateLimited}};
  for (const auto& c : cases) {
    const long code = c.first;
    const ErrorCode expected = c.second;
    CAPTURE(code);
    status = code;
    auto r = client.sendEvents(v1::EventBatch());
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == expected);
    CHECK(r.status().message().find("HTTP " + std::to_string(code)) != std::string::npos);
    if (code == 503 || code == 429) {  // overloaded or rate-limited: told when to come back
      REQUIRE(client.lastRetryAfter().has_value());
      CHECK(client.lastRetryAfter()->count() == 12);  // the header wins over the body
    } else {
      CHECK_FALSE(client.lastRetryAfter().has_value());
      CHECK(r.status().message().find("detail from server") != std::string::npos);
    }
  }
}

TEST_CASE("503 without the header falls back to the body's retry_after_seconds") {
  ClientFixture f;
  auto srv = f.serve(
      [](const TestRequest&) { return httpResponse(503, kPb, errorBody("E_OVERLOADED", 9)); });
  CollectorClient client(f.options(srv));
  auto r = client.checkin(v1::CheckinRequest());
  REQUIRE_FALSE(r.isOk());
  REQUIRE(client.lastRetryAfter().has_value());
  CHECK(client.lastRetryAfter()->count() == 9);
}

TEST_CASE("HTML, garbage and wrong content types are E_PROTOCOL") {
  ClientFixture f;
  int which = 0;
  auto srv = f.serve([&](const TestRequest&) {
    switch (which) {
      case 0:
        return httpResponse(200, "text/html", "<html>Please log in to the Wi-Fi</html>");
      case 1:
        return httpResponse(200, kPb, std::string("\xff\xff\xff\xff\xff\xff", 6));
      default:
        return httpResponse(502, "text/html", "<html>Bad gateway</html>");
    }
  });
  CollectorClient client(f.options(srv));
  which = 0;
  auto html = client.checkin(v1::CheckinRequest());
  REQUIRE_FALSE(html.isOk());
  CHECK(html.status().code() == ErrorCode::kProtocol);
  CHECK(html.status().message().find("text/html") != std::string::npos);
  which = 1;
  auto garbage = client.checkin(v1::CheckinRequest());
  REQUIRE_FALSE(garbage.isOk());
  CHECK(garbage.status().code() == ErrorCode::kProtocol);
  which = 2;
  auto gateway = client.checkin(v1::CheckinRequest());
  REQUIRE_FALSE(gateway.isOk());
  CHECK(gateway.status().code() == ErrorCode::kHttpStatus);
  CHECK(gateway.status().message().find("Bad gateway") != std::string::npos);
}

TEST_CASE("an intercepting proxy's certificate is E_TLS_PIN_MISMATCH and nothing is sent") {
  ClientFixture f;
  TestPki proxy = TestPki::create("corporate proxy CA");
  auto leaf = proxy.issue("collector", {"localhost"}, {"127.0.0.1"}, true);
  TlsTestServer srv({leaf.first, leaf.second, ""},
                    [](const TestRequest&) { return httpResponse(200, kPb, ""); });
  CollectorClient client(f.options(srv));
  auto r = client.sendEvents(v1::EventBatch());
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTlsPinMismatch);
  CHECK(srv.requests().empty());
}

TEST_CASE("oversized answers are E_TOO_LARGE") {
  ClientFixture f;
  auto srv = f.serve(
      [](const TestRequest&) { return httpResponse(200, kPb, std::string(200 * 1024, 'a')); });
  CollectorClientOptions o = f.options(srv);
  o.max_response_bytes = 64 * 1024;
  CollectorClient client(o);
  auto r = client.checkin(v1::CheckinRequest());
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace xiaoan::agent
