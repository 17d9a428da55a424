// xiaoan-admin end to end in-process: parsing, needs, requests sent, text and JSON output,
// exit codes.
#include "service/admin_cli/admin_app.h"

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include "service/admin_cli/admin_api_client.h"
#include "tests/service/admin_cli/admin_harness.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::admin::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

FakeTransport::Handler always(long status, std::string body) {
  return [status, body](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(status, body);
  };
}

template <typename M>
M parseJson(const std::string& json) {
  M m;
  REQUIRE(google::protobuf::util::JsonStringToMessage(json, &m).ok());
  return m;
}

const char kSchools[] =
    R"({"schools":[{"id":"xmsyxx","name":"厦门实验小学","abbr":"XMSY",)"
    R"("created_at":"2026-11-01T02:00:00Z"},{"id":"tongan-no1","name":"同安一中"}]})";

TEST_CASE("school list renders a CJK-aligned table, in both languages") {
  AdminHarness h(always(200, kSchools));
  const AdminRun zh = h.run({"school", "list"});
  CHECK(zh.code == 0);
  CHECK(zh.out ==
        "学校 ID     名称          简称  创建时间\n"
        "----------  ------------  ----  -------------------\n"
        "xmsyxx      厦门实验小学  XMSY  2026-11-01 02:00:00\n"
        "tongan-no1  同安一中            -\n"
        "共 2 所学校\n");
  const AdminRun en = h.run({"school", "list", "--lang", "en"});
  CHECK(en.out ==
        "school id   name          abbr  created\n"
        "----------  ------------  ----  -------------------\n"
        "xmsyxx      厦门实验小学  XMSY  2026-11-01 02:00:00\n"
        "tongan-no1  同安一中            -\n"
        "2 schools\n");
  REQUIRE(h.requests().size() == 2);
  CHECK(h.requests()[0].method == "GET");
  CHECK(h.requests()[0].url == "https://127.0.0.1:8444/api/v1/schools");  // trailing / dropped
  CHECK(h.requests()[0].headers.at("Authorization") ==
        basicAuthorization("admin", "s3cret-from-file"));
  CHECK(h.lastCaFile() == h.caPath());
}

TEST_CASE("--json prints the API's answer with stable snake_case keys") {
  AdminHarness h(always(200, kSchools));
  const AdminRun r = h.run({"--json", "school", "list"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "\"created_at\": \"2026-11-01T02:00:00Z\""));
  CHECK(contains(r.out, "\"abbr\": \"\""));  // absent strings are "", never null
  CHECK_FALSE(contains(r.out, "null"));
  CHECK(parseJson<v1::SchoolList>(r.out).schools_size() == 2);
}

TEST_CASE("school add posts the School as snake_case JSON") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    return jsonResponse(200, req.body);  // echo, as the API returns the stored school
  });
  const AdminRun r =
      h.run({"school", "add", "--id", "xmsyxx", "--name", "厦门实验小学", "--abbr", "XMSY"});
  CHECK(r.code == 0);
  CHECK(r.out == "已添加学校 xmsyxx（厦门实验小学）\n");
  REQUIRE(h.requests().size() == 1);
  CHECK(h.requests()[0].method == "POST");
  CHECK(h.requests()[0].url == "https://127.0.0.1:8444/api/v1/schools");
  const auto sent = parseJson<v1::School>(h.requests()[0].body);
  CHECK(sent.id() == "xmsyxx");
  CHECK(sent.abbr() == "XMSY");
  CHECK(h.run({"school", "add", "--id", "x"}).code == 2);  // --name missing
  CHECK(h.requests().size() == 1);
}

const char kToken[] = R"({"id":"tok-7","secret":"tok-7.Zm9vYmFyYmF6","school_id":"xmsyxx",)"
                      R"("expires_at":"2026-12-21T14:03:05Z","max_uses":60,"note":"机房2 重装"})";

TEST_CASE("token create sends ttl/max-uses and shows the secret once, prominently") {
  AdminHarness h(always(200, kToken));
  const AdminRun r = h.run({"token", "create", "--school", "xmsyxx", "--ttl", "30d", "--max-uses",
                            "60", "--note", "机房2 重装"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "\n\n    tok-7.Zm9vYmFyYmF6\n\n"));
  CHECK(contains(r.out, "有效期至 | 2026-12-21 14:03:05"));
  CHECK(contains(r.out, "最多使用 | 60"));
  CHECK(contains(r.out, "XIAOAN_TOKEN='tok-7.Zm9vYmFyYmF6' dpkg -i"));
  const auto sent = parseJson<v1::CreateTokenRequest>(h.requests().at(0).body);
  CHECK(sent.school_id() == "xmsyxx");
  CHECK(sent.ttl_seconds() == 30u * 86400);
  CHECK(sent.max_uses() == 60);
  CHECK(sent.note() == "机房2 重装");
  CHECK(h.requests().at(0).url == "https://127.0.0.1:8444/api/v1/tokens");

  const AdminRun json = h.run({"token", "create", "--school", "xmsyxx", "--json"});
  CHECK(parseJson<v1::EnrollmentToken>(json.out).secret() == "tok-7.Zm9vYmFyYmF6");
  CHECK(parseJson<v1::CreateTokenRequest>(h.requests().at(1).body).ttl_seconds() == 0);
}

TEST_CASE("token create rejects bad arguments before calling the server") {
  AdminHarness h(always(200, kToken));
  for (auto args : std::vector<std::vector<std::string>>{
           {"token", "create"},
           {"token", "create", "--school", "s", "--ttl", "1w"},
           {"token", "create", "--school", "s", "--ttl", "0"},
           {"token", "create", "--school", "s", "--max-uses", "0"},
           {"token", "create", "--school", "s", "--max-uses", "4294967296"}}) {
    const AdminRun r = h.run(args);
    CHECK(r.code == 2);
    CHECK(contains(r.err, "E_INVALID_ARGUMENT"));
  }
  CHECK(h.requests().empty());
}

TEST_CASE("token list shows each token's state at 'now'") {
  AdminHarness h(always(
      200,
      R"({"tokens":[)"
      R"({"id":"a","school_id":"s","uses":3,"created_at":"2026-11-01T00:00:00Z"},)"
      R"({"id":"b","school_id":"s","revoked":true},)"
      R"({"id":"c","school_id":"s","expires_at":"2026-11-21T14:03:05Z"},)"
      R"({"id":"d","school_id":"s","max_uses":2,"uses":2},)"
      R"({"id":"e","school_id":"s","expires_at":"2026-11-21T14:03:06Z","max_uses":5,"uses":1}]})"));
  const AdminRun r = h.run({"token", "list", "--school", "s", "--lang", "en"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "token id  school  uses         expires              state    note  created\n"
        "--------  ------  -----------  -------------------  -------  ----  -------------------\n"
        "a         s       3/unlimited  never                active         2026-11-01 00:00:00\n"
        "b         s       0/unlimited  never                revoked        -\n"
        "c         s       0/unlimited  2026-11-21 14:03:05  expired        -\n"
        "d         s       2/2          never                used up        -\n"
        "e         s       1/5          2026-11-21 14:03:06  active         -\n"
        "5 tokens\n");
  CHECK(h.requests().at(0).url == "https://127.0.0.1:8444/api/v1/tokens?school=s");
}

TEST_CASE("token revoke takes exactly one id") {
  AdminHarness h(always(200, R"({"id":"tok-7","school_id":"xmsyxx","uses":12,"revoked":true})"));
  const AdminRun r = h.run({"token", "revoke", "tok-7"});
  CHECK(r.code == 0);
  CHECK(r.out == "已撤销令牌 tok-7（学校 xmsyxx，已使用 12 次）\n");
  CHECK(h.requests().at(0).url == "https://127.0.0.1:8444/api/v1/tokens/tok-7/revoke");
  CHECK(h.run({"token", "revoke"}).code == 2);
  CHECK(h.run({"token", "revoke", "a", "b"}).code == 2);
  CHECK(h.requests().size() == 1);
}

TEST_CASE("terminals list shows room, policy and signature bundle versions") {
  AdminHarness h(always(
      200, R"({"terminals":[{"id":"t-1","school_id":"xmsyxx","hostname":"XMSY-机房2-07",)"
           R"("ipv4":["10.1.2.7","10.1.3.7"],"agent_version":"0.1.0","room":"机房2",)"
           R"("policy_version":"17","signatures_version":"4",)"
           R"("last_checkin":"2026-11-21T14:02:30Z","spool_pending":"3","events_stored":"1200"},)"
           R"({"id":"t-2","school_id":"xmsyxx","silent":true}]})"));
  const AdminRun r = h.run({"terminals", "list", "--school", "xmsyxx"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "终端 ID  学校    机房   主机名         IPv4               代理版本  策略版本  特征库版本  "
        "上次签到             待上传  事件数  状态\n"
        "-------  ------  -----  -------------  -----------------  --------  --------  ----------  "
        "-------------------  ------  ------  ----\n"
        "t-1      xmsyxx  机房2  XMSY-机房2-07  10.1.2.7,10.1.3.7  0.1.0     17        4           "
        "2026-11-21 14:02:30  3       1200    正常\n"
        "t-2      xmsyxx  -                     -                            -         -           "
        "-                    0       0       失联\n"
        "共 2 台终端\n");
  const AdminRun en = h.run({"--lang", "en", "terminals", "list"});
  CHECK(contains(en.out, "policy  signatures  last check-in"));
  CHECK(h.requests().at(0).url == "https://127.0.0.1:8444/api/v1/terminals?school=xmsyxx");
}

TEST_CASE("events list builds its query and truncates payloads") {
  const std::string long_payload(100, 'x');
  AdminHarness h(always(
      200,
      R"({"events":[{"id":"9","terminal_id":"t-1","stream":"activity","seq":"5","type":"diagnostic",)"
      R"("time":"2026-11-21T14:00:00Z","payload_json":")" +
          long_payload + R"("}]})"));
  const AdminRun r = h.run({"events", "list", "--type", "diagnostic", "--terminal", "t-1",
                            "--since", "24h", "--limit", "10", "--lang", "en"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).url ==
        "https://127.0.0.1:8444/api/v1/events?type=diagnostic&terminal=t-1"
        "&since=2026-11-20T14%3A03%3A05Z&limit=10");
  CHECK(contains(r.out, std::string(59, 'x') + "\xE2\x80\xA6\n"));
  CHECK_FALSE(contains(r.out, std::string(60, 'x')));
  CHECK(contains(r.out, "1 events\n"));

  for (auto bad : std::vector<std::vector<std::string>>{
           {"--since", "yesterday"}, {"--limit", "0"}, {"--limit", "10001"}}) {
    bad.insert(bad.begin(), {"events", "list"});
    CHECK(h.run(bad).code == 2);
  }
  CHECK(h.requests().size() == 1);
}

TEST_CASE("auth failures exit 4, other failures 5, with code and one line on stderr") {
  SUBCASE("401") {
    AdminHarness h(always(401, R"({"error":{"code":"E_UNAUTHORIZED","message":"bad password"}})"));
    const AdminRun r = h.run({"school", "list"});
    CHECK(r.code == 4);
    CHECK(r.out.empty());
    CHECK(r.err == "E_UNAUTHORIZED: 身份验证失败（HTTP 401: bad password）\n");
  }
  SUBCASE("403") {
    AdminHarness h(always(403, ""));
    CHECK(h.run({"token", "list"}).code == 4);
  }
  SUBCASE("404") {
    AdminHarness h(always(404, R"({"error":{"code":"E_NOT_FOUND","message":"no token x"}})"));
    const AdminRun r = h.run({"token", "revoke", "x", "--lang", "en"});
    CHECK(r.code == 5);
    CHECK(r.err == "E_NOT_FOUND: not found (HTTP 404: no token x)\n");
  }
  SUBCASE("TLS pin mismatch") {
    AdminHarness h([](const AdminHttpRequest&) -> Result<HttpResponse> {
      return Status(ErrorCode::kTlsPinMismatch, "certificate verify failed");
    });
    const AdminRun r = h.run({"school", "list", "--lang", "en"});
    CHECK(r.code == 5);
    CHECK(r.err.rfind("E_TLS_PIN_MISMATCH: server certificate is not trusted", 0) == 0);
  }
}

TEST_CASE("server, CA and password are required; the password never on the command line") {
  AdminHarness h(always(200, kSchools));
  const std::string ca = h.caPath();
  const std::string pw = h.passwordPath();
  CHECK(h.runRaw({"--ca", ca, "--password-file", pw, "school", "list"}).code == 2);
  CHECK(h.runRaw({"--server", "http://127.0.0.1:8444", "--ca", ca, "--password-file", pw, "school",
                  "list"})
            .code == 2);
  CHECK(h.runRaw({"--server", "https://127.0.0.1:8444", "--password-file", pw, "school", "list"})
            .code == 2);
  const AdminRun nopw = h.runRaw({"--server", "https://h:1", "--ca", ca, "school", "list"});
  CHECK(nopw.code == 2);
  CHECK(contains(nopw.err, "XIAOAN_ADMIN_PASSWORD"));
  const AdminRun flag =
      h.runRaw({"--server", "https://h:1", "--ca", ca, "--password", "x", "school", "list"});
  CHECK(flag.code == 2);
  CHECK(contains(flag.err, "--password-file"));
  const AdminRun noca = h.runRaw({"--server", "https://h:1", "--ca", ca + ".missing",
                                  "--password-file", pw, "school", "list"});
  CHECK(noca.code == 5);
  CHECK(contains(noca.err, "E_NOT_FOUND"));
  CHECK(h.requests().empty());

  // The environment works; a password file wins over it; --user is used.
  const AdminRun env =
      h.runRaw({"--server", "https://h:1", "--ca", ca, "--user", "ops", "school", "list"},
               {{"XIAOAN_ADMIN_PASSWORD", "from-env"}});
  CHECK(env.code == 0);
  CHECK(h.requests().back().headers.at("Authorization") == basicAuthorization("ops", "from-env"));
  CHECK(h.run({"school", "list"}, {{"XIAOAN_ADMIN_PASSWORD", "from-env"}}).code == 0);
  CHECK(h.requests().back().headers.at("Authorization") ==
        basicAuthorization("admin", "s3cret-from-file"));
}

TEST_CASE("usage: help, version, unknown commands and options") {
  AdminHarness h(always(200, kSchools));
  const AdminRun none = h.runRaw({});
  CHECK(none.code == 2);
  CHECK(contains(none.err, "xiaoan-admin"));
  CHECK(h.runRaw({"--help"}).code == 0);
  CHECK(contains(h.runRaw({"help"}).out, "退出码"));
  const AdminRun topic = h.runRaw({"help", "token", "create", "--lang", "en"});
  CHECK(topic.code == 0);
  CHECK(contains(topic.out, "usage: xiaoan-admin token create --school S"));
  CHECK(h.runRaw({"token", "create", "--help"}).code == 0);
  CHECK(h.runRaw({"help", "nosuch"}).code == 2);
  CHECK(h.runRaw({"version"}).out == "xiaoan-admin " XIAOAN_VERSION "\n");
  CHECK(h.run({"school"}).code == 2);
  CHECK(h.run({"school", "list", "--limit", "5"}).code == 2);
  CHECK(h.run({"school", "list", "extra"}).code == 2);
  CHECK(h.run({"school", "list", "--lang", "fr"}).code == 2);
  CHECK(h.requests().empty());
}

}  // namespace
}  // namespace xiaoan::admin::testing
