// xiaoan-admin policy get|set|apply|delete, terminals set-room and bundle export, in-process
// with a fake transport: requests sent, output, validation errors with paths, exit codes.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "platform/file_util.h"
#include "tests/service/admin_cli/admin_harness.h"
#include "tests/support/temp_dir.h"
#include "xiaoan/v1/admin_api.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::admin::testing {
namespace {

using xiaoan::testing::TempDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

template <typename M>
M parseJson(const std::string& json) {
  M m;
  REQUIRE_MESSAGE(google::protobuf::util::JsonStringToMessage(json, &m).ok(), json);
  return m;
}

constexpr const char* kBase = "https://127.0.0.1:8444";
constexpr const char* kSchoolLayer =
    R"({"scope":"POLICY_SCOPE_SCHOOL","id":"s1","revision":"3","updated_by":"admin",)"
    R"("policy":{"agent":{"max_upload_events_per_second":500},"scan":{"paths":["/home"]}}})";

// GET answers `get`; PUT echoes the body as the stored layer with revision 4.
FakeTransport::Handler layerServer(long get_status, std::string get_body) {
  return [get_status, get_body](const AdminHttpRequest& req) -> Result<HttpResponse> {
    if (req.method == "GET") return jsonResponse(get_status, get_body);
    v1::PolicyLayer stored = parseJson<v1::PolicyLayer>(req.body);
    stored.set_revision(4);
    std::string json;
    REQUIRE(google::protobuf::util::MessageToJsonString(stored, &json).ok());
    return jsonResponse(200, json);
  };
}

TEST_CASE("policy get prints the layer JSON; a missing layer prints an empty one") {
  AdminHarness h(layerServer(200, kSchoolLayer));
  const AdminRun r = h.run({"policy", "get", "--school", "s1"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).url == std::string(kBase) + "/api/v1/policies/school/s1");
  CHECK(parseJson<v1::PolicyLayer>(r.out).policy().scan().paths(0) == "/home");
  CHECK(contains(r.out, "\"max_upload_events_per_second\": 500"));

  AdminHarness missing(
      layerServer(404, R"({"error":{"code":"E_NOT_FOUND","message":"no policy layer"}})"));
  const AdminRun m = missing.run({"policy", "get", "--room", "s1/机房2"});
  CHECK(m.code == 0);
  CHECK(missing.requests().at(0).url ==
        std::string(kBase) + "/api/v1/policies/room/s1%2F%E6%9C%BA%E6%88%BF2");
  auto empty = parseJson<v1::PolicyLayer>(m.out);
  CHECK(empty.scope() == v1::POLICY_SCOPE_ROOM);
  CHECK(empty.id() == "s1/机房2");
  CHECK(contains(m.err, "尚无策略"));
}

TEST_CASE("policy get --effective asks for a terminal's merged policy") {
  AdminHarness h(layerServer(
      200, R"({"terminal_id":"ab12","policy":{"agent":{"checkin_interval_seconds":300}},)"
           R"("issued_version":"9"})"));
  const AdminRun r = h.run({"policy", "get", "--terminal", "ab12", "--effective"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).url == std::string(kBase) + "/api/v1/terminals/ab12/policy");
  CHECK(parseJson<v1::EffectivePolicy>(r.out).issued_version() == 9);
  CHECK(h.run({"policy", "get", "--school", "s1", "--effective"}).code == 2);
}

TEST_CASE("the layer options: exactly one, and a room is school/room") {
  AdminHarness h(layerServer(200, kSchoolLayer));
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"policy", "get"},
                                             {"policy", "get", "--school", "s1", "--terminal", "t"},
                                             {"policy", "get", "--room", "lab1"},
                                             {"policy", "set", "--school", "s1"},
                                             {"policy", "apply", "--school", "s1"}}) {
    const AdminRun r = h.run(args);
    CHECK(r.code == 2);
    CHECK(contains(r.err, "E_INVALID_ARGUMENT"));
  }
  CHECK(h.requests().empty());
}

TEST_CASE("policy set edits the stored layer field by field and writes it back") {
  AdminHarness h(layerServer(200, kSchoolLayer));
  const AdminRun r = h.run({"policy", "set", "--school", "s1", "agent.checkin_interval_seconds=300",
                            "binding.mode=restore", "scan.paths="});
  CHECK_MESSAGE(r.code == 0, r.err);
  REQUIRE(h.requests().size() == 2);
  CHECK(h.requests()[1].method == "PUT");
  CHECK(h.requests()[1].url == std::string(kBase) + "/api/v1/policies/school/s1");
  auto sent = parseJson<v1::PolicyLayer>(h.requests()[1].body).policy();
  CHECK(sent.agent().checkin_interval_seconds() == 300);
  CHECK(sent.agent().max_upload_events_per_second() == 500);  // kept from the stored layer
  CHECK(sent.binding().mode() == v1::BINDING_MODE_RESTORE);
  CHECK(sent.scan().paths_size() == 0);  // cleared: inherited again
  CHECK(r.out == "已更新学校 s1 的策略（修订 4）。终端在下次签到时收到新策略。\n");
  const AdminRun en =
      h.run({"--lang", "en", "policy", "set", "--school", "s1", "scan.enabled=true"});
  CHECK(en.out ==
        "updated the policy of school s1 (revision 4); terminals get it at their next "
        "check-in.\n");
}

TEST_CASE("policy set: a missing layer starts empty") {
  AdminHarness h(layerServer(404, R"({"error":{"code":"E_NOT_FOUND","message":"none"}})"));
  CHECK(h.run({"policy", "set", "--terminal", "ab12", "binding.mac=aa:bb:cc:dd:ee:ff"}).code == 0);
  auto sent = parseJson<v1::PolicyLayer>(h.requests().at(1).body).policy();
  CHECK(sent.binding().mac() == "aa:bb:cc:dd:ee:ff");
}

TEST_CASE("policy set: unknown paths, bad values and out-of-range values exit 2 with the path") {
  AdminHarness h(layerServer(200, kSchoolLayer));
  struct Case {
    std::string arg;
    std::string line;
  };
  for (const Case& c : std::vector<Case>{
           {"agent.checkin=300", "  agent.checkin: unknown field\n"},
           {"agent.checkin_interval_seconds=abc",
            "  agent.checkin_interval_seconds: must be a non-negative integer\n"},
           {"agent.checkin_interval_seconds=5",
            "  agent.checkin_interval_seconds: must be 10..86400, got 5\n"},
           {"binding.mac=aa:bb:cc:dd:ee:ff", "  binding.mac: only a terminal layer may set this\n"},
           {"checkin", "  checkin: 应为 字段路径=值\n"}}) {
    CAPTURE(c.arg);
    const AdminRun r = h.run({"policy", "set", "--school", "s1", c.arg});
    CHECK(r.code == 2);
    CHECK(contains(r.err, "E_INVALID_ARGUMENT: 策略无效，未做任何更改：\n"));
    CHECK(contains(r.err, c.line));
  }
  const AdminRun en =
      h.run({"--lang", "en", "policy", "set", "--school", "s1", "scan.cpu_percent=0"});
  CHECK(en.err ==
        "E_INVALID_ARGUMENT: policy invalid, nothing changed:\n"
        "  scan.cpu_percent: must be 1..100, got 0\n");
  for (const auto& req : h.requests()) CHECK(req.method == "GET");  // nothing was written
}

TEST_CASE("field errors from the collector are printed one per line, exit 2") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    if (req.method == "GET") return jsonResponse(200, kSchoolLayer);
    return jsonResponse(400, R"({"error":{"code":"E_INVALID_ARGUMENT","message":"invalid"},)"
                             R"("field_errors":[{"field":"scan.paths[0]","message":"x"},)"
                             R"({"field":"agent.checkin_interval_seconds","message":"y"}]})");
  });
  const AdminRun r = h.run({"policy", "set", "--school", "s1", "scan.enabled=true"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "  scan.paths[0]: x\n  agent.checkin_interval_seconds: y\n"));
}

TEST_CASE("policy apply takes a layer file or a bare policy, strictly") {
  TempDir dir;
  AdminHarness h(layerServer(200, kSchoolLayer));
  const std::string layer_file = dir.write("layer.json", kSchoolLayer);
  const AdminRun r = h.run({"policy", "apply", "--school", "s1", layer_file});
  CHECK_MESSAGE(r.code == 0, r.err);
  auto sent = parseJson<v1::PolicyLayer>(h.requests().back().body);
  CHECK(h.requests().back().method == "PUT");
  CHECK(sent.policy().scan().paths(0) == "/home");
  CHECK(contains(r.out, "已用 " + layer_file + " 替换学校 s1 的策略（修订 4）"));

  const std::string bare = dir.write("bare.json", R"({"retention":{"browsing_days":90}})");
  CHECK(h.run({"policy", "apply", "--school", "s1", bare}).code == 0);
  CHECK(parseJson<v1::PolicyLayer>(h.requests().back().body).policy().retention().browsing_days() ==
        90);

  size_t before = h.requests().size();
  struct Bad {
    std::string json;
    std::string line;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"retention":{"browsing_day":90}})", "  retention.browsing_day: unknown field\n"},
           {R"({"policy":{"agent":{"x":1}}})", "  agent.x: unknown field\n"},
           {R"({"retention":{"browsing_days":30}})",
            "  retention.browsing_days: must be at least 60 days (county rule: browsing records "
            "of every terminal kept 60 days), got 30\n"},
           {R"({"id":"s2","policy":{}})", "the file is the layer s2, not s1"},
           {"{not json", "  (input): not valid JSON\n"}}) {
    CAPTURE(b.json);
    const AdminRun bad =
        h.run({"policy", "apply", "--school", "s1", dir.write("bad.json", b.json)});
    CHECK(bad.code == 2);
    CHECK(contains(bad.err, b.line));
  }
  CHECK(h.run({"policy", "apply", "--school", "s1", dir.write("big.json", std::string(70000, ' '))})
            .code == 2);
  CHECK(h.run({"policy", "apply", "--school", "s1", dir.sub("missing.json")}).code == 5);
  CHECK(h.requests().size() == before);
}

TEST_CASE("policy delete") {
  AdminHarness h([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, kSchoolLayer);
  });
  const AdminRun r = h.run({"policy", "delete", "--school", "s1"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).method == "DELETE");
  CHECK(r.out == "已删除学校 s1 的策略。\n");
}

TEST_CASE("terminals set-room puts the room; '' unassigns") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    return jsonResponse(200, req.body);
  });
  const AdminRun r = h.run({"terminals", "set-room", "ab12", "机房2"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).method == "PUT");
  CHECK(h.requests().at(0).url == std::string(kBase) + "/api/v1/terminals/ab12/room");
  CHECK(parseJson<v1::Terminal>(h.requests().at(0).body).room() == "机房2");
  CHECK(r.out == "终端 ab12 已分配到机房 机房2\n");
  const AdminRun none = h.run({"--lang", "en", "terminals", "set-room", "ab12", ""});
  CHECK(none.out == "terminal ab12 has no room now\n");
  CHECK(parseJson<v1::Terminal>(h.requests().at(1).body).room().empty());
  CHECK(h.run({"terminals", "set-room", "ab12"}).code == 2);
}

TEST_CASE("bundle export writes the collector's bundle to the file") {
  v1::OfflineBundle bundle;
  bundle.set_format("xiaoan-bundle-v1");
  bundle.add_entries()->set_agent_id("agent-1");
  const std::string bytes = bundle.SerializeAsString();
  AdminHarness h([bytes](const AdminHttpRequest&) -> Result<HttpResponse> {
    HttpResponse r = jsonResponse(200, bytes);
    r.content_type = "application/x-protobuf";
    return r;
  });
  TempDir dir;
  const std::string out = dir.sub("t.bundle");
  const AdminRun r = h.run({"bundle", "export", "--terminal", "ab12", "--out", out});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(h.requests().at(0).url == std::string(kBase) + "/api/v1/bundles?terminal=ab12");
  CHECK(*readFile(out, 1 << 20) == bytes);
  CHECK(contains(r.out, "已导出终端 ab12 的离线更新包：" + out));
  CHECK(h.run({"bundle", "export", "--terminal", "ab12"}).code == 2);

  AdminHarness junk([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, "not a bundle");
  });
  CHECK(junk.run({"bundle", "export", "--terminal", "ab12", "--out", dir.sub("j")}).code == 5);
}

}  // namespace
}  // namespace xiaoan::admin::testing
