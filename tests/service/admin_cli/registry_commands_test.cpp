// xiaoan-admin's registry, rooms and compliance commands (issue 11), in-process with a fake
// transport: the CSV goes out as text/csv with the options, every issue is printed with its
// line, exit codes say whether anything was written, terminal references are resolved.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/service/admin_cli/admin_harness.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::admin::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("registry import sends the file as CSV; issues are printed and exit 2") {
  xiaoan::testing::TempDir dir;
  const std::string file = dir.file("ip.csv");
  std::ofstream(file) << "mac,ip\nbad,10.1.2.3/24\n";
  AdminHarness h([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, R"({"encoding":"UTF-8","rows":1,"dry_run":true,"issues":[)"
                             R"({"line":2,"column":"mac","message_zh":"MAC 地址“bad”格式错误",)"
                             R"("message_en":"malformed MAC \"bad\""}]})");
  });
  const AdminRun r = h.run({"registry", "import", file, "--school", "s1", "--dry-run", "--encoding",
                            "gbk", "--create-rooms", "--lang", "en"});
  CHECK(r.code == 2);
  CHECK(contains(r.err, "line 2 [mac]: malformed MAC \"bad\""));
  CHECK(contains(r.out, "1 problems, nothing written"));
  REQUIRE(h.requests().size() == 1);
  const auto& req = h.requests()[0];
  CHECK(req.method == "POST");
  CHECK(req.url ==
        "https://127.0.0.1:8444/api/v1/schools/s1/registry?dry_run=true&encoding=gbk"
        "&create_rooms=true");
  CHECK(req.content_type == "text/csv; charset=utf-8");
  CHECK(req.body == "mac,ip\nbad,10.1.2.3/24\n");
  CHECK(h.run({"registry", "import", file}).code == 2);  // --school is required
  CHECK(h.run({"registry", "import", file, "--school", "s1", "--encoding", "latin1"}).code == 2);
  CHECK(h.requests().size() == 1);
}

TEST_CASE("compliance renders counts and offenders; --terminal resolves a seat reference") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    if (contains(req.url, "/terminals/resolve")) {
      return jsonResponse(200, R"({"ref":"s1/lab/1","terminal_ids":["t1"]})");
    }
    return jsonResponse(
        200, R"({"groups":[{"school_id":"s1","room":"lab","counts":{"terminals":2,"compliant":1,)"
             R"("violation":1,"by_kind":[{"kind":"VIOLATION_KIND_WRONG_IP","terminals":1}]}}],)"
             R"("offenders":[{"terminal_id":"t1","school_id":"s1","room":"lab","seat":1,)"
             R"("hostname":"lab-01","category":"violation","reason_zh":"IP 地址错误",)"
             R"("reason_en":"wrong IP: 10.1.2.50/24, expected 10.1.2.11/24"},)"
             R"({"terminal_id":"t2","school_id":"s1","room":"lab","seat":2,"hostname":"lab-02",)"
             R"("category":"silent","reason_en":"no check-in for 9 min"}]})");
  });
  const AdminRun r = h.run({"compliance", "--school", "s1", "--lang", "en"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "wrong_ip=1"));
  CHECK(contains(r.out, "lab #1"));
  CHECK(contains(r.out, "no check-in for 9 min"));
  CHECK(h.requests()[0].url == "https://127.0.0.1:8444/api/v1/compliance?school=s1");
  const AdminRun one = h.run({"compliance", "--terminal", "s1/lab/1", "--csv", "--lang", "en"});
  CHECK(one.code == 0);
  CHECK(contains(one.out, "s1,lab #1,lab-01,t1,violation,"));
  CHECK_FALSE(contains(one.out, "lab-02"));
  CHECK(h.requests()[1].url == "https://127.0.0.1:8444/api/v1/terminals/resolve?ref=s1%2Flab%2F1");
}

TEST_CASE("a terminal reference naming no terminal, or several, is refused") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    if (contains(req.url, "ref=twin")) {
      return jsonResponse(200, R"({"ref":"twin","terminal_ids":["t1","t2"]})");
    }
    return jsonResponse(200, R"({"ref":"x","terminal_ids":[]})");
  });
  const AdminRun none = h.run({"terminals", "set-room", "nobody-pc", "lab"});
  CHECK(none.code == 5);
  CHECK(contains(none.err, "E_NOT_FOUND"));
  const AdminRun twin = h.run({"policy", "get", "--terminal", "twin", "--lang", "en"});
  CHECK(twin.code == 2);
  CHECK(contains(twin.err, "t1, t2"));
  CHECK(h.requests().size() == 2);  // nothing beyond the lookups
}

}  // namespace
}  // namespace xiaoan::admin::testing
