#include "service/collector/admin_api/admin_request.h"

#include <doctest/doctest.h>

#include "service/collector/admin_api/display_name.h"
#include "service/collector/trust/policy_layers.h"

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

TEST_CASE("issue 11: rooms, registry, compliance and terminal reference routes") {
  CHECK(parseAs<ListRooms>("GET", "/api/v1/schools/s1/rooms").school_id == "s1");
  CHECK(parseAs<AddRoom>("POST", "/api/v1/schools/s1/rooms", R"({"name":"机房1"})").name ==
        "机房1");
  auto rename = parseAs<RenameRoom>("PUT", "/api/v1/schools/s1/rooms/%E6%9C%BA%E6%88%BF1",
                                    R"({"name":"机房A"})");
  CHECK(rename.from == "机房1");
  CHECK(rename.to == "机房A");
  CHECK(parseAs<DeleteRoom>("DELETE", "/api/v1/schools/s1/rooms/lab2").name == "lab2");
  auto import = parseAs<ImportRegistry>(
      "POST", "/api/v1/schools/s1/registry?dry_run=true&encoding=gbk&create_rooms=1", "a,b\n");
  CHECK(import.dry_run);
  CHECK(import.create_rooms);
  CHECK(import.encoding == CsvEncoding::kGbk);
  CHECK(import.csv == "a,b\n");
  CHECK(parseAs<ListRegistry>("GET", "/api/v1/schools/s1/registry.csv?room=lab2").csv);
  CHECK(parseAs<GetCompliance>("GET", "/api/v1/compliance?school=s1&room=lab2").room == "lab2");
  CHECK(parseAs<ResolveTerminal>("GET", "/api/v1/terminals/resolve?ref=s1%2Flab2%2F3").ref ==
        "s1/lab2/3");
  CHECK(isRegistryUpload("POST", "/api/v1/schools/s1/registry?dry_run=1"));
  CHECK_FALSE(isRegistryUpload("GET", "/api/v1/schools/s1/registry"));
  CHECK(adminBodyLimit("POST", "/api/v1/schools/s1/registry") == kMaxRegistryCsvBytes);
  CHECK(adminBodyLimit("POST", "/api/v1/schools/s1/rooms") == kMaxAdminBodyBytes);
  CHECK(errorOf("POST", "/api/v1/schools/s1/rooms", R"({"name":"a/b"})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/schools/s1/registry?encoding=latin1") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/compliance?school=S%201") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/terminals/resolve") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/schools/BAD/rooms") == ErrorCode::kNotFound);
  CHECK(errorOf("PUT", "/api/v1/schools/s1/registry") == ErrorCode::kUnsupported);
}

TEST_CASE("issue 10: tokens are bounded by default; re-enrollment routes") {
  auto token = parseAs<CreateToken>("POST", "/api/v1/tokens", R"({"school_id":"s1"})");
  CHECK(token.request.max_uses() == kDefaultTokenMaxUses);
  CHECK(parseAs<CreateToken>("POST", "/api/v1/tokens", R"({"school_id":"s1","max_uses":100000})")
            .request.max_uses() == 100000);
  CHECK(errorOf("POST", "/api/v1/tokens", R"({"school_id":"s1","max_uses":100001})") ==
        ErrorCode::kInvalidArgument);
  auto policy = parseAs<SetReenrollPolicy>("POST", "/api/v1/schools/s1/reenroll-policy",
                                           R"({"policy":"REENROLL_POLICY_APPROVE"})");
  CHECK(policy.school_id == "s1");
  CHECK(policy.policy == v1::REENROLL_POLICY_APPROVE);
  CHECK(errorOf("POST", "/api/v1/schools/s1/reenroll-policy", "{}") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/schools/s1/reenroll-policy") == ErrorCode::kUnsupported);
  CHECK(errorOf("POST", "/api/v1/schools/S!/reenroll-policy",
                R"({"policy":"REENROLL_POLICY_AUTO"})") == ErrorCode::kNotFound);
  CHECK(parseAs<ListPendingEnrollments>("GET", "/api/v1/enrollments/pending?school=s1").school_id ==
        "s1");
  CHECK(parseAs<ApprovePendingEnrollment>("POST", "/api/v1/enrollments/pending/ab12/approve").id ==
        "ab12");
  CHECK(errorOf("POST", "/api/v1/enrollments/pending/zz/approve") == ErrorCode::kNotFound);
  CHECK(errorOf("GET", "/api/v1/enrollments/pending?colour=red") == ErrorCode::kInvalidArgument);
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

TEST_CASE("signature bundle and detection routes") {
  auto publish = parseAs<PublishSignatures>(
      "POST", "/api/v1/signatures",
      R"({"files":[{"name":"a.yar","content":"cnVsZSBh"}],"description":"新规则"})");
  REQUIRE(publish.request.files_size() == 1);
  CHECK(publish.request.files(0).content() == "rule a");  // bytes are base64 in JSON
  CHECK(publish.request.description() == "新规则");
  parseAs<ListSignatures>("GET", "/api/v1/signatures");
  CHECK(errorOf("DELETE", "/api/v1/signatures") == ErrorCode::kUnsupported);
  CHECK(errorOf("GET", "/api/v1/signatures?x=1") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/signatures", R"({"files":[]})") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/signatures", R"({"files":[{"name":"a","content":"%%"}]})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/signatures",
                R"({"files":[{"name":"a"}],"description":")" + std::string(1025, 'x') + R"("})") ==
        ErrorCode::kInvalidArgument);

  auto all = parseAs<ListDetections>("GET", "/api/v1/detections");
  CHECK(all.query.limit == kDefaultDetectionLimit);
  CHECK(all.query.school_id.empty());
  auto q = parseAs<ListDetections>(
      "GET", "/api/v1/detections?school=s1&since=2026-11-21T05:00:00Z&limit=1000");
  CHECK(q.query.school_id == "s1");
  CHECK(q.query.since_ms == 1'795'237'200'000);
  CHECK(q.query.limit == 1000);
  for (const char* bad : {"/api/v1/detections?limit=1001", "/api/v1/detections?school=S1",
                          "/api/v1/detections?since=today", "/api/v1/detections?type=x"}) {
    CHECK(errorOf("GET", bad) == ErrorCode::kInvalidArgument);
  }
  CHECK(errorOf("POST", "/api/v1/detections") == ErrorCode::kUnsupported);
}

TEST_CASE("only publishing a bundle may send more than the usual body cap") {
  CHECK(adminBodyLimit("POST", "/api/v1/signatures") == kMaxPublishBodyBytes);
  CHECK(kMaxPublishBodyBytes > sig::kMaxBundleBytes / 3 * 4);  // base64 of a whole bundle
  CHECK(adminBodyLimit("GET", "/api/v1/signatures") == kMaxAdminBodyBytes);
  CHECK(adminBodyLimit("POST", "/api/v1/schools?x") == kMaxAdminBodyBytes);
  const std::string big(kMaxAdminBodyBytes + 1, ' ');
  CHECK(errorOf("POST", "/api/v1/signatures", big) == ErrorCode::kInvalidArgument);  // parsed
  CHECK(errorOf("POST", "/api/v1/schools", big) == ErrorCode::kTooLarge);
}

// Policies, rooms and bundles.

constexpr const char* kTerminal = "/api/v1/policies/terminal/0123456789abcdef0123456789abcdef";

TEST_CASE("policy layer routes: scopes, ids, room ids with an escaped slash and UTF-8") {
  auto school = parseAs<GetPolicyLayer>("GET", "/api/v1/policies/school/xmsyxx");
  CHECK(school.scope == v1::POLICY_SCOPE_SCHOOL);
  CHECK(school.id == "xmsyxx");
  auto room =
      parseAs<DeletePolicyLayer>("DELETE", "/api/v1/policies/room/xmsyxx%2F%E6%9C%BA%E6%88%BF2");
  CHECK(room.scope == v1::POLICY_SCOPE_ROOM);
  CHECK(room.id == "xmsyxx/机房2");
  CHECK(parseAs<GetPolicyLayer>("GET", "/api/v1/policies/room/s1/lab+1").id == "s1/lab+1");
  auto terminal = parseAs<PutPolicyLayer>(
      "PUT", kTerminal, R"({"policy":{"binding":{"mac":"aa:bb:cc:dd:ee:ff"}},"revision":"7"})");
  CHECK(terminal.scope == v1::POLICY_SCOPE_TERMINAL);
  CHECK(terminal.policy.binding().mac() == "aa:bb:cc:dd:ee:ff");
  auto with_names = parseAs<PutPolicyLayer>(
      "PUT", "/api/v1/policies/school/s1",
      R"({"scope":"POLICY_SCOPE_SCHOOL","id":"s1","policy":{"agent":{"checkin_interval_seconds":300}},)"
      R"("updated_at":"2026-11-21T00:00:00Z","updated_by":"someone"})");
  CHECK(with_names.policy.agent().checkin_interval_seconds() == 300);

  CHECK(errorOf("GET", "/api/v1/policies/lab/s1") == ErrorCode::kNotFound);
  CHECK(errorOf("GET", "/api/v1/policies/school") == ErrorCode::kNotFound);
  for (const char* bad : {"/api/v1/policies/school/BAD", "/api/v1/policies/room/s1",
                          "/api/v1/policies/room/s1%2F", "/api/v1/policies/room/s1/a%2Fb",
                          "/api/v1/policies/room/s1/%0a", "/api/v1/policies/terminal/xyz",
                          "/api/v1/policies/school/s1%zz", "/api/v1/policies/school/s1?x=1"}) {
    CAPTURE(bad);
    CHECK(errorOf("GET", bad) == ErrorCode::kInvalidArgument);
  }
  CHECK(errorOf("POST", "/api/v1/policies/school/s1", "{}") == ErrorCode::kUnsupported);
}

TEST_CASE("a room id from the URL must be well-formed UTF-8 (it goes into protobuf strings)") {
  CHECK(parseAs<GetPolicyLayer>("GET", "/api/v1/policies/room/s1%2F%F0%9F%8F%AB").id ==
        "s1/\xF0\x9F\x8F\xAB");  // U+1F3EB, four bytes
  for (const char* bad : {
           "/api/v1/policies/room/s1%2F%FF",           // never in UTF-8
           "/api/v1/policies/room/s1%2Flab%E6%9C",     // cut short
           "/api/v1/policies/room/s1%2F%80lab",        // stray continuation byte
           "/api/v1/policies/room/s1%2F%C0%AF",        // overlong '/'
           "/api/v1/policies/room/s1%2F%ED%A0%80",     // a surrogate
           "/api/v1/policies/room/s1%2F%F4%90%80%80",  // past U+10FFFF
       }) {
    CAPTURE(bad);
    CHECK(errorOf("GET", bad) == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("a PUT body is checked strictly and validated for its scope, with field errors") {
  std::vector<policy::FieldIssue> issues;
  auto cmd = parseAdminRequest("PUT", "/api/v1/policies/school/s1",
                               R"({"policy":{"agent":{"checkin_interval_seconds":5},)"
                               R"("binding":{"mac":"aa:bb:cc:dd:ee:ff"}}})",
                               &issues);
  REQUIRE_FALSE(cmd.isOk());
  CHECK(cmd.status().code() == ErrorCode::kInvalidArgument);
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].field == "agent.checkin_interval_seconds");
  CHECK(issues[1].field == "binding.mac");
  CHECK(issues[1].message == "only a terminal layer may set this");

  issues.clear();
  cmd = parseAdminRequest("PUT", "/api/v1/policies/school/s1",
                          R"({"policy":{"agent":{"interval":5}},"colour":1})", &issues);
  REQUIRE_FALSE(cmd.isOk());
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].field == "colour");
  CHECK(issues[1].field == "agent.interval");  // relative to the policy, as admins write it
  CHECK(errorOf("PUT", "/api/v1/policies/school/s1", R"({"id":"s2","policy":{}})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("PUT", "/api/v1/policies/school/s1", R"({"scope":"POLICY_SCOPE_ROOM"})") ==
        ErrorCode::kInvalidArgument);
  CHECK(errorOf("PUT", "/api/v1/policies/school/s1", "not json") == ErrorCode::kInvalidArgument);
}

TEST_CASE("terminal policy, room and bundle routes") {
  const std::string t = "/api/v1/terminals/0123456789abcdef0123456789abcdef";
  CHECK(parseAs<GetEffectivePolicy>("GET", t + "/policy").terminal_id ==
        "0123456789abcdef0123456789abcdef");
  CHECK(parseAs<SetTerminalRoom>("PUT", t + "/room", R"({"room":"机房2"})").room == "机房2");
  CHECK(parseAs<SetTerminalRoom>("PUT", t + "/room", "{}").room.empty());
  CHECK(errorOf("PUT", t + "/room", R"({"room":"a/b"})") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("PUT", t + "/room", R"({"room":" x"})") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("PUT", t + "/room", R"({"rooms":"x"})") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", t + "/room") == ErrorCode::kUnsupported);
  CHECK(errorOf("PUT", t + "/policy", "{}") == ErrorCode::kUnsupported);
  CHECK(errorOf("GET", "/api/v1/terminals/XYZ/policy") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", t + "/other") == ErrorCode::kNotFound);
  auto bundle = parseAs<ExportBundle>("GET", "/api/v1/bundles?terminal=00ff");
  CHECK(bundle.terminal_id == "00ff");
  CHECK(errorOf("GET", "/api/v1/bundles") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("GET", "/api/v1/bundles?terminal=00ff&x=1") == ErrorCode::kInvalidArgument);
  CHECK(errorOf("POST", "/api/v1/bundles?terminal=00ff") == ErrorCode::kUnsupported);
}

TEST_CASE("issue 10 #11: display names refuse NUL, controls, bidi, invalid UTF-8, '..'") {
  const std::string nul("a\0b", 3);
  for (std::string_view bad :
       {std::string_view(nul), std::string_view("a\tb"), std::string_view("a\x7f"),
        std::string_view("a\xc2\x85"),
        std::string_view("\xe2\x80\xae"
                         "abc"),
        std::string_view("x\xe2\x81\xa6y"), std::string_view("x\xe2\x80\x8fy"),
        std::string_view("a\xff"), std::string_view("\xc0\xaf"), std::string_view("a..b"),
        std::string_view(".."), std::string_view(" a"), std::string_view("")}) {
    CAPTURE(std::string(bad));
    CHECK(checkDisplayName(bad, kSchoolNameRule, Lang::kEn).code() == ErrorCode::kInvalidArgument);
    CHECK_FALSE(isValidRoomName(bad));
  }
  CHECK(checkDisplayName("厦门实验小学（分校）", kSchoolNameRule, Lang::kZhCn).isOk());
  CHECK(checkDisplayName("a.b/c", kSchoolNameRule, Lang::kZhCn).isOk());
  CHECK_FALSE(checkDisplayName("a/b", kRoomNameRule, Lang::kZhCn).isOk());
  CHECK(checkDisplayName("", kTokenNoteRule, Lang::kZhCn).isOk());
  CHECK(checkDisplayName(std::string(129, 'a'), kSchoolNameRule, Lang::kEn).message() ==
        "school name is longer than 128 bytes");
  CHECK(checkDisplayName("a\xe2\x80\xae"
                         "b",
                         kRoomNameRule, Lang::kZhCn)
            .message()
            .find("机房名称不能包含改变文字方向的字符") == 0);
  // Through the request parser, in the caller's language, never quoting the name.
  auto zh = parseAdminRequest("POST", "/api/v1/schools", R"({"id":"s1","name":"坏\u0000名"})");
  CHECK(zh.status().message() == "学校名称不能包含控制字符（如 NUL、换行、制表符）");
  auto en = parseAdminRequest("POST", "/api/v1/tokens", R"({"school_id":"s1","note":"a..b"})",
                              nullptr, Lang::kEn);
  CHECK(en.status().message() == "token note must not contain \"..\"");
  auto abbr = parseAdminRequest("POST", "/api/v1/schools",
                                R"({"id":"s1","name":"ok","abbr":"X\u202EY"})", nullptr, Lang::kEn);
  CHECK(abbr.status().code() == ErrorCode::kInvalidArgument);
  auto room = parseAdminRequest("PUT", "/api/v1/terminals/ab12/room", R"({"room":"JF\n2"})",
                                nullptr, Lang::kEn);
  CHECK(room.status().message().find("room name must not contain control") == 0);
}

TEST_CASE("issue 10 #8: deep JSON bodies are refused as E_TOO_LARGE on every JSON route") {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  CHECK(errorOf("POST", "/api/v1/schools", R"({"id":)" + deep + "}") == ErrorCode::kTooLarge);
  CHECK(errorOf("POST", "/api/v1/tokens", R"({"note":)" + deep + "}") == ErrorCode::kTooLarge);
  CHECK(errorOf("PUT", "/api/v1/policies/school/s1", R"({"policy":)" + deep + "}") ==
        ErrorCode::kTooLarge);
  CHECK(errorOf("PUT", "/api/v1/terminals/ab12/room", R"({"room":)" + deep + "}") ==
        ErrorCode::kTooLarge);
  CHECK(errorOf("POST", "/api/v1/signatures", R"({"files":)" + deep + "}") == ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace xiaoan::collector
