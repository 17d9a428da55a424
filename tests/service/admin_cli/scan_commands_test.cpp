// xiaoan-admin's antivirus commands in-process with a fake collector: signatures publish
// (request, output, every compiler error with exit code 2), signatures list, detections list,
// and the signature version column of terminals list.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>

#include "tests/service/admin_cli/admin_harness.h"
#include "tests/support/temp_dir.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::admin::testing {
namespace {

using xiaoan::testing::TempDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

FakeTransport::Handler always(long status, std::string body) {
  return [status, body](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(status, body);
  };
}

// A rule directory as an admin keeps it: rules in sub-directories, other files beside them.
struct RuleDir {
  TempDir dir;
  RuleDir() {
    std::filesystem::create_directories(dir.sub("webshell"));
    dir.write("eicar.yar", "rule eicar { condition: true }\n");
    dir.write("webshell/php.yara", "rule php { condition: false }\n");
    dir.write("README.md", "not a rule\n");
  }
};

const char kPublished[] =
    R"({"version":"3","sha256":"ab","rule_count":120,"file_count":2,"size":"4096",)"
    R"("warnings":[{"file":"webshell/php.yara","line":3,"message":"slow","warning":true}]})";

TEST_CASE("signatures publish sends every rule file of DIR with the description") {
  RuleDir rules;
  AdminHarness h(always(200, kPublished));
  const AdminRun r =
      h.run({"signatures", "publish", rules.dir.path(), "--description", "十一月更新"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(r.out ==
        "已发布特征库版本 3：120 条规则，2 个文件，4096 字节。终端在下次签到时获取。\n"
        "1 条编译警告：\n"
        "  webshell/php.yara:3: slow\n");
  REQUIRE(h.requests().size() == 1);
  const auto& req = h.requests()[0];
  CHECK(req.method == "POST");
  CHECK(req.url == "https://127.0.0.1:8444/api/v1/signatures");
  v1::PublishSignaturesRequest sent;
  REQUIRE(google::protobuf::util::JsonStringToMessage(req.body, &sent).ok());
  CHECK(sent.description() == "十一月更新");
  REQUIRE(sent.files_size() == 2);  // README.md is not a rule file
  CHECK(sent.files(0).name() == "eicar.yar");
  CHECK(sent.files(0).content() == "rule eicar { condition: true }\n");
  CHECK(sent.files(1).name() == "webshell/php.yara");
  CHECK(contains(req.body, "\"content\":\"cnVsZSBlaWNhciB7IGNvbmRpdGlvbjogdHJ1ZSB9Cg==\""));

  const AdminRun en = h.run({"--lang", "en", "signatures", "publish", rules.dir.path()});
  CHECK(en.out ==
        "published signature bundle version 3: 120 rules, 2 files, 4096 bytes; terminals get it "
        "at their next check-in.\n"
        "1 compiler warnings:\n"
        "  webshell/php.yara:3: slow\n");
}

TEST_CASE("signatures publish: rules that do not compile print file:line per error, exit 2") {
  RuleDir rules;
  AdminHarness h(always(
      400, R"({"error":{"code":"E_RULES_INVALID","message":"b.yar:3: undefined identifier"},)"
           R"("rule_errors":[{"file":"b.yar","line":3,"message":"undefined identifier \"x\""},)"
           R"({"file":"sub/d.yar","line":4,"message":"undefined string \"$y\""}]})"));
  const AdminRun r = h.run({"--lang", "en", "signatures", "publish", rules.dir.path()});
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "E_RULES_INVALID: rules do not compile; the whole bundle was rejected, nothing "
        "published:\n"
        "b.yar:3: undefined identifier \"x\"\n"
        "sub/d.yar:4: undefined string \"$y\"\n");
}

TEST_CASE("signatures publish: a missing or empty directory is a usage error, nothing sent") {
  TempDir empty;
  AdminHarness h(always(200, kPublished));
  const AdminRun none = h.run({"signatures", "publish", empty.sub("nope")});
  CHECK(none.code == 2);
  CHECK(contains(none.err, "E_NOT_FOUND"));
  const AdminRun nothing = h.run({"--lang", "en", "signatures", "publish", empty.path()});
  CHECK(nothing.code == 2);
  CHECK(contains(nothing.err, "E_INVALID_ARGUMENT"));
  CHECK(contains(nothing.err, "no rule files"));
  CHECK(h.run({"signatures", "publish"}).code == 2);
  CHECK(h.requests().empty());
}

TEST_CASE("signatures publish: other failures are API failures (auth 4, else 5)") {
  RuleDir rules;
  AdminHarness denied(always(401, R"({"error":{"code":"E_UNAUTHORIZED","message":"no"}})"));
  CHECK(denied.run({"signatures", "publish", rules.dir.path()}).code == 4);
  AdminHarness broken(always(500, R"({"error":{"code":"E_INTERNAL","message":"internal"}})"));
  CHECK(broken.run({"signatures", "publish", rules.dir.path()}).code == 5);
}

TEST_CASE("signatures list shows the published versions, newest first") {
  AdminHarness h(always(
      200,
      R"({"bundles":[{"version":"2","rule_count":121,"file_count":3,"size":"5000",)"
      R"("published_at":"2026-11-21T08:00:00Z","published_by":"county","description":"新增勒索规则",)"
      R"("warning_count":1},)"
      R"({"version":"1","rule_count":120,"file_count":2,"size":"4096",)"
      R"("published_at":"2026-11-01T08:00:00Z","published_by":"county"}]})"));
  const AdminRun r = h.run({"signatures", "list"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "版本  发布时间             规则数  文件数  大小  警告  发布人  说明\n"
        "----  -------------------  ------  ------  ----  ----  ------  ------------\n"
        "2     2026-11-21 08:00:00  121     3       5000  1     county  新增勒索规则\n"
        "1     2026-11-01 08:00:00  120     2       4096  0     county  -\n"
        "共 2 个特征库版本\n");
  CHECK(h.requests().at(0).url == "https://127.0.0.1:8444/api/v1/signatures");
  const AdminRun json = h.run({"--json", "signatures", "list"});
  CHECK(json.code == 0);
  v1::SignatureBundleList list;
  REQUIRE(google::protobuf::util::JsonStringToMessage(json.out, &list).ok());
  CHECK(list.bundles(0).warning_count() == 1);
}

const char kDetections[] =
    R"({"detections":[{"event_id":"9","terminal_id":"t-1","school_id":"xmsyxx",)"
    R"("hostname":"XMSY-机房2-07","time":"2026-11-21T13:00:00Z","detection":{)"
    R"("path":"/home/student/下载/very/long/directory/name/that/goes/on/and/on/eicar.com",)"
    R"("matches":[{"rule":"eicar_test"},{"rule":"generic_dropper"}],"action":"DETECTION_ACTION_QUARANTINED"}},)"
    R"({"event_id":"8","terminal_id":"t-2","school_id":"xmsyxx","time":"2026-11-21T12:00:00Z",)"
    R"("detection":{"path":"/tmp/x","matches":[{"rule":"miner"}],"action":"DETECTION_ACTION_REPORTED"}}]})";

TEST_CASE(
    "detections list builds its query and shows time, school, terminal, path, rules, action") {
  AdminHarness h(always(200, kDetections));
  const AdminRun r =
      h.run({"detections", "list", "--school", "xmsyxx", "--since", "24h", "--limit", "50"});
  CHECK(r.code == 0);
  CHECK(h.requests().at(0).url ==
        "https://127.0.0.1:8444/api/v1/detections?school=xmsyxx"
        "&since=2026-11-20T14%3A03%3A05Z&limit=50");
  CHECK(r.out ==
        "时间                 学校    终端           路径                                  "
        "              规则                        处置\n"
        "-------------------  ------  -------------  ------------------------------------"
        "--------------  --------------------------  ------\n"
        // A long path keeps its end (the file name) within 50 columns.
        "2026-11-21 13:00:00  xmsyxx  XMSY-机房2-07  …long/directory/name/that/goes/on/an"
        "d/on/eicar.com  eicar_test,generic_dropper  已隔离\n"
        "2026-11-21 12:00:00  xmsyxx  t-2            /tmp/x                              "
        "                miner                       已报告\n"
        "共 2 条检出\n");
  const AdminRun en = h.run({"--lang", "en", "detections", "list"});
  CHECK(h.requests().at(1).url == "https://127.0.0.1:8444/api/v1/detections");
  CHECK(contains(en.out, "quarantined"));
  CHECK(contains(en.out, "2 detections\n"));
  CHECK(h.run({"detections", "list", "--limit", "1001"}).code == 2);
  CHECK(h.run({"detections", "list", "--since", "yesterday"}).code == 2);
  CHECK(h.requests().size() == 2);
}

}  // namespace
}  // namespace xiaoan::admin::testing
