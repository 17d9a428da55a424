#include "service/admin_cli/admin_api_client.h"

#include <doctest/doctest.h>

#include <chrono>

#include "tests/service/admin_cli/admin_harness.h"

namespace xiaoan::admin::testing {
namespace {

TEST_CASE("basic authorization and URL encoding") {
  // RFC 7617's example.
  CHECK(basicAuthorization("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  CHECK(basicAuthorization("a", "") == "Basic YTo=");
  CHECK(basicAuthorization("ab", "c") == "Basic YWI6Yw==");
  CHECK(basicAuthorization("admin", "密码") == "Basic YWRtaW465a+G56CB");
  CHECK(urlEncode("tok-1_a.b~") == "tok-1_a.b~");
  CHECK(urlEncode("a/b?c=d&e f") == "a%2Fb%3Fc%3Dd%26e%20f");
  CHECK(urlEncode("机房") == "%E6%9C%BA%E6%88%BF");
}

TEST_CASE("HTTP errors map to stable codes with the server's message") {
  struct Case {
    long status;
    std::string body;
    ErrorCode code;
    std::string message;
  };
  const Case cases[] = {
      {401, R"({"error":{"code":"E_UNAUTHORIZED","message":"bad password"}})",
       ErrorCode::kUnauthorized, "HTTP 401: bad password"},
      {403, "", ErrorCode::kForbidden, "HTTP 403"},
      {404, R"({"error":{"code":"E_NOT_FOUND","message":"no school x"}})", ErrorCode::kNotFound,
       "HTTP 404: no school x"},
      {400, R"({"error":{"code":"E_INVALID_ARGUMENT","message":"bad id"}})",
       ErrorCode::kInvalidArgument, "HTTP 400: bad id"},
      {500, "<html>oops</html>", ErrorCode::kHttpStatus, "HTTP 500"},
      {502, R"({"error":{"code":"E_MADE_UP","message":"x"}})", ErrorCode::kHttpStatus,
       "HTTP 502: x"},
      // A 401 whose body claims something else is still an auth failure.
      {401, R"({"error":{"code":"E_DATABASE"}})", ErrorCode::kUnauthorized, "HTTP 401"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.status);
    FakeTransport t([&](const AdminHttpRequest&) -> Result<HttpResponse> {
      return jsonResponse(c.status, c.body);
    });
    AdminApiClient api(t, "https://h:1", "admin", "pw");
    auto r = api.listSchools();
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == c.code);
    CHECK(r.status().message() == c.message);
  }
}

TEST_CASE("a 200 that is not the expected JSON is a protocol error") {
  FakeTransport t(
      [](const AdminHttpRequest&) -> Result<HttpResponse> { return jsonResponse(200, "[1,2,3]"); });
  AdminApiClient api(t, "https://h:1", "admin", "pw");
  CHECK(api.listTerminals("").status().code() == ErrorCode::kProtocol);
}

TEST_CASE("deeply nested answers are refused before parsing (issue 10 #8, client side)") {
  const std::string deep = std::string(32'000, '[') + std::string(32'000, ']');
  FakeTransport t([&](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, R"({"schools":)" + deep + "}");
  });
  AdminApiClient api(t, "https://h:1", "admin", "pw");
  auto t0 = std::chrono::steady_clock::now();
  auto r = api.listSchools();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(500));
  CHECK(r.status().code() == ErrorCode::kProtocol);
  CHECK(r.status().message().find("deeper than 32") != std::string::npos);
}

TEST_CASE("the CLI's language goes out as Accept-Language") {
  std::string seen;
  FakeTransport t([&](const AdminHttpRequest& req) -> Result<HttpResponse> {
    seen = req.headers.at("Accept-Language");
    return jsonResponse(200, R"({"schools":[]})");
  });
  REQUIRE(AdminApiClient(t, "https://h:1", "admin", "pw").listSchools().isOk());
  CHECK(seen == "zh-CN");
  REQUIRE(AdminApiClient(t, "https://h:1", "admin", "pw", Lang::kEn).listSchools().isOk());
  CHECK(seen == "en");
}

TEST_CASE("unknown fields from a newer collector are tolerated") {
  FakeTransport t([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, R"({"schools":[{"id":"a","name":"甲","future_field":1}],"x":2})");
  });
  AdminApiClient api(t, "https://h:1", "admin", "pw");
  auto r = api.listSchools();
  REQUIRE(r.isOk());
  CHECK(r->schools(0).name() == "甲");
}

TEST_CASE("requests: paths, queries, bodies and headers") {
  FakeTransport t(
      [](const AdminHttpRequest&) -> Result<HttpResponse> { return jsonResponse(200, "{}"); });
  AdminApiClient api(t, "https://h:1", "ops", "pw");
  REQUIRE(api.listTokens("").isOk());
  REQUIRE(api.listTokens("xm syxx").isOk());
  REQUIRE(api.revokeToken("tok/1").isOk());
  REQUIRE(api.listEvents({"diagnostic", "t-1", "2026-11-01T00:00:00Z", 50}).isOk());
  REQUIRE(api.listEvents({}).isOk());
  REQUIRE(t.requests.size() == 5);
  CHECK(t.requests[0].url == "https://h:1/api/v1/tokens");
  CHECK(t.requests[1].url == "https://h:1/api/v1/tokens?school=xm%20syxx");
  CHECK(t.requests[2].method == "POST");
  CHECK(t.requests[2].url == "https://h:1/api/v1/tokens/tok%2F1/revoke");
  CHECK(t.requests[2].body == "{}");
  CHECK(t.requests[3].url ==
        "https://h:1/api/v1/events?type=diagnostic&terminal=t-1&since=2026-11-01T00%3A00%3A00Z"
        "&limit=50");
  CHECK(t.requests[4].url == "https://h:1/api/v1/events");
  for (const auto& r : t.requests) {
    CHECK(r.headers.at("Authorization") == basicAuthorization("ops", "pw"));
    CHECK(r.headers.at("Accept") == "application/json");
  }
}

TEST_CASE("transport failures pass through unchanged") {
  FakeTransport t([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return Status(ErrorCode::kTlsPinMismatch, "certificate verify failed");
  });
  AdminApiClient api(t, "https://h:1", "admin", "pw");
  auto r = api.addSchool(v1::School());
  CHECK(r.status().code() == ErrorCode::kTlsPinMismatch);
  CHECK(r.status().message() == "certificate verify failed");
}

}  // namespace
}  // namespace xiaoan::admin::testing
