// xiaoan-admin's re-enrollment commands (issue 10) and the token defaults, in-process with a
// fake transport: requests sent, text output, exit codes.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include "tests/service/admin_cli/admin_harness.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::admin::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

FakeTransport::Handler echo() {
  return [](const AdminHttpRequest& req) -> Result<HttpResponse> {
    return jsonResponse(200, req.body);
  };
}

TEST_CASE("school reenroll-policy posts the policy, and refuses anything but auto|approve") {
  AdminHarness h(echo());
  const AdminRun r = h.run({"school", "reenroll-policy", "xmsyxx", "approve"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "需管理员批准"));
  REQUIRE(h.requests().size() == 1);
  CHECK(h.requests()[0].method == "POST");
  CHECK(h.requests()[0].url == "https://127.0.0.1:8444/api/v1/schools/xmsyxx/reenroll-policy");
  CHECK(contains(h.requests()[0].body, "REENROLL_POLICY_APPROVE"));
  CHECK(h.run({"school", "reenroll-policy", "xmsyxx", "auto", "--lang", "en"}).out ==
        "school xmsyxx: known PCs that enroll again are accepted (security event recorded)\n");
  CHECK(contains(h.requests()[1].body, "REENROLL_POLICY_AUTO"));
  const AdminRun bad = h.run({"school", "reenroll-policy", "xmsyxx", "sometimes"});
  CHECK(bad.code == 2);
  CHECK(h.requests().size() == 2);
}

TEST_CASE("enrollment pending lists what differs; approve posts the id") {
  AdminHarness h([](const AdminHttpRequest& req) -> Result<HttpResponse> {
    if (req.method == "GET") {
      return jsonResponse(200,
                          R"({"enrollments":[{"id":"ab12","school_id":"s1","terminal_id":"t9",)"
                          R"("hostname":"JF2-07","mismatched":["key","smbios_uuid"],"attempts":3,)"
                          R"("last_seen":"2026-11-01T02:00:00Z"}]})");
    }
    return jsonResponse(200, R"({"id":"ab12","terminal_id":"t9","approved":true})");
  });
  const AdminRun list = h.run({"enrollment", "pending", "--school", "s1", "--lang", "en"});
  CHECK(list.code == 0);
  CHECK(contains(list.out, "key,smbios_uuid"));
  CHECK(contains(list.out, "pending"));
  CHECK(contains(list.out, "1 pending"));
  CHECK(h.requests()[0].url == "https://127.0.0.1:8444/api/v1/enrollments/pending?school=s1");
  const AdminRun ok = h.run({"enrollment", "approve", "ab12"});
  CHECK(ok.code == 0);
  CHECK(contains(ok.out, "终端 t9"));
  CHECK(h.requests()[1].method == "POST");
  CHECK(h.requests()[1].url == "https://127.0.0.1:8444/api/v1/enrollments/pending/ab12/approve");
  CHECK(h.run({"enrollment", "approve"}).code == 2);
}

TEST_CASE("token create: no --max-uses leaves the bound to the collector; above 100000 refused") {
  AdminHarness h([](const AdminHttpRequest&) -> Result<HttpResponse> {
    return jsonResponse(200, R"({"id":"t","secret":"t.x","school_id":"s","max_uses":1})");
  });
  const AdminRun r = h.run({"token", "create", "--school", "s", "--lang", "en"});
  CHECK(r.code == 0);
  CHECK(contains(r.out, "max uses | 1"));
  v1::CreateTokenRequest sent;
  REQUIRE(google::protobuf::util::JsonStringToMessage(h.requests().at(0).body, &sent).ok());
  CHECK(sent.max_uses() == 0);  // the collector makes it 1
  const AdminRun big = h.run({"token", "create", "--school", "s", "--max-uses", "100001"});
  CHECK(big.code == 2);
  CHECK(h.requests().size() == 1);
}

}  // namespace
}  // namespace xiaoan::admin::testing
