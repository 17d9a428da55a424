#include "service/collector/admin_request.h"

#include <doctest/doctest.h>

namespace xiaoan::collector {
namespace {

template <typename T>
T parseAs(std::string_view method, std::string_view target, std::string_view body = "") {
  auto cmd = parseAdminRequest(method, target, body);
  REQUIRE_MESSAGE(cmd.isOk(), cmd.status().toString());
  REQUIRE(std::holds_alternative<T>(*cmd));
  return std::get<T>(*cmd);
}

ErrorCode errorOf(std::string_view method, std::string_view target, std::string_view body = "") {
  auto cmd = parseAdminRequest(method, target, body);
  REQUIRE_FALSE(cmd.isOk());
  return cmd.status().code();
}

TEST_CASE("routes of the admin API") {
  parseAs<ListSchools>("GET", "/api/v1/schools");
  auto school = parseAs<AddSchool>("POST", "/api/v1/schools",
                                   R"({"id":"xmsyxx","name":"厦门实验小学","abbr":"XMSY"})");
  CHECK(school.school.name() == "厦门实验小学");
  auto token = parseAs<CreateToken>("POST", "/api/v1/tokens",
                                    R"({"school_id":"s1","ttl_seconds":"3600","max_uses":2})");
  CHECK(token.request.ttl_seconds() == 3600);
  CHECK(parseAs<ListTokens>("GET", "/api/v1/tokens?school=s1").school_id == "s1");
  CHECK(parseAs<ListTokens>("GET", "/api/v1/tokens").school_id.empty());
  CHECK(parseAs<RevokeToken>("POST", "/api/v1/tokens/0a1b2c/revoke").token_id == "0a1b2c");
  CHECK(parseAs<ListTerminals>("GET", "/api/v1/terminals?school=s-2").school_id == "s-2");
}

TEST_CASE("event queries: defaults, filters, bounds") {
  auto all = parseAs<ListEvents>("GET", "/api/v1/events");
  CHECK(all.query.limit == kDefaultEventLimit);
  CHECK_FALSE(all.query.since_ms.has_value());
  auto q = parseAs<ListEvents>(
      "GET",
      "/api/v1/events?type=security_alert&terminal=t%201&since=2026-11-21T05:00:00Z&limit=5");
  CHECK(q.query.type == "security_alert");
  CHECK(q.query.terminal_id == "t 1");
  CHECK(q.query.since_ms == 1'795'237'200'000);
  CHECK(q.query.limit == 5);
  CHECK(parseAs<ListEvents>("GET", "/api/v1/events?limit=10000").query.limit == 10000);
  for (const char* bad :
       {"/api/v1/events?limit=0", "/api/v1/events?limit=10001", "/api/v1/events?limit=-1",
        "/api/v1/events?limit=5x", "/api/v1/events?since=yesterday", "/api/v1/events?colour=red",
        "/api/v1/events?type=%zz"}) {
    CHECK(errorOf("GET", bad) == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("bad paths, methods and bodies") {
  CHECK(errorOf("GET", "/api/v1/nothing") == ErrorCode::kNotFound);
  CHECK(errorOf("GET", "/api/v1/tokens/XYZ/revoke") == ErrorCode::kNotFound);
  CHECK(errorOf("DELETE", "/api/v1/schools") == ErrorCode::kUnsupported);
  CHECK(errorOf("GET", "/api/v1/tokens/0a/revoke") == ErrorCode::kUnsupported);
  CHECK(errorOf("POST", "/api/v1/schools", "not json") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/schools", R"({"id":"UPPER","name":"x"})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/schools", R"({"id":"s1","name":""})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/schools", R"({"id":"s1","name":"x","extra":1})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/tokens", R"({"school_id":"s1","ttl_seconds":"999999999999"})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/tokens?school=../x") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/schools", std::string(kMaxAdminBodyBytes + 1, ' ')) ==
        ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace xiaoan::collector
