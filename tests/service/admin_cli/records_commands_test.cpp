// xiaoan-admin's record searches in-process with a fake collector: browsing search, sessions
// list, alerts list — the query sent, the table, JSON and CSV (BOM, Chinese, formula guard),
// the next cursor, usage errors (TZ=UTC for these tests).
#include <doctest/doctest.h>

#include "service/admin_cli/records_output.h"
#include "tests/service/admin_cli/admin_harness.h"

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

const char kVisits[] =
    R"j({"visits":[{"place":{"id":"9","terminal_id":"ab12","hostname":"JF1-12","school_id":"s1",)j"
    R"j("room":"机房1","seat":12},"visit":{"key":"k","user":"张三","browser":"BROWSER_KIND_360SE",)j"
    R"j("url":"https://www.4399.com/游戏","domain":"www.4399.com","title":"=HYPERLINK(\"x\")",)j"
    R"j("visit_time":"2026-11-21T06:00:00Z","transition":"VISIT_TRANSITION_TYPED"}}],)j"
    R"j("next_cursor":"72313a763a313a39"})j";

TEST_CASE("browsing search sends every filter and prints a table with the next cursor") {
  AdminHarness h(always(200, kVisits));
  const AdminRun r = h.run({"browsing",   "search",
                            "--school",   "s1",
                            "--room",     "机房1",
                            "--terminal", "ab12",
                            "--account",  "张三",
                            "--domain",   "4399.com",
                            "--keyword",  "游戏",
                            "--since",    "2026-11-01T00:00:00Z",
                            "--until",    "2026-11-22T00:00:00Z",
                            "--limit",    "50",
                            "--cursor",   "aa"});
  CHECK_MESSAGE(r.code == 0, r.err);
  REQUIRE(h.requests().size() == 1);
  const std::string& url = h.requests()[0].url;
  CHECK(contains(url,
                 "/api/v1/browsing/visits?school=s1&room=%E6%9C%BA%E6%88%BF1&terminal=ab12"
                 "&user=%E5%BC%A0%E4%B8%89&domain="));
  CHECK(contains(url, "&domain=4399.com&q=%E6%B8%B8%E6%88%8F&since=2026-11-01T00%3A00%3A00Z"));
  CHECK(contains(url, "&until=2026-11-22T00%3A00%3A00Z&limit=50&cursor=aa"));
  CHECK(contains(r.out, "2026-11-21 06:00:00"));
  CHECK(contains(r.out, "s1/机房1/12"));
  CHECK(contains(r.out, "360安全浏览器"));
  CHECK(contains(r.out, "本页 1 条上网记录"));
  CHECK(contains(r.out, "下一页：--cursor 72313a763a313a39"));

  const AdminRun en = h.run({"--lang", "en", "browsing", "search"});
  CHECK(contains(en.out, "1 visits on this page"));
  CHECK(contains(en.out, "360 Secure Browser"));
  CHECK(contains(en.out, "next page: --cursor 72313a763a313a39"));
}

TEST_CASE("browsing search --csv: UTF-8 with BOM, Chinese headers, formulas defused") {
  AdminHarness h(always(200, kVisits));
  const AdminRun r = h.run({"browsing", "search", "--csv"});
  CHECK_MESSAGE(r.code == 0, r.err);
  REQUIRE(r.out.size() > 3);
  CHECK(r.out.substr(0, 3) == "\xEF\xBB\xBF");
  CHECK(r.out.substr(3, r.out.find("\r\n") - 3) ==
        "访问时间,学校,机房,座位,主机名,终端 ID,用户,浏览器,配置文件,网址,域名,标题,访问方式,"
        "停留毫秒,来自同步");
  CHECK(contains(r.out,
                 "2026-11-21 06:00:00,s1,机房1,12,JF1-12,ab12,张三,360安全浏览器,,"
                 "https://www.4399.com/游戏,www.4399.com,\"'=HYPERLINK(\"\"x\"\")\",输入,,"));
  // The cursor goes to stderr so that the file stays a clean CSV.
  CHECK_FALSE(contains(r.out, "cursor"));
  CHECK(contains(r.err, "--cursor 72313a763a313a39"));

  const AdminRun en = h.run({"--lang", "en", "browsing", "search", "--csv"});
  CHECK(contains(en.out, "\xEF\xBB\xBFtime,school,room,seat,hostname,terminal id,user"));
}

TEST_CASE("--json prints the page as the collector sent it") {
  AdminHarness h(always(200, kVisits));
  const AdminRun r = h.run({"--json", "browsing", "search"});
  CHECK_MESSAGE(r.code == 0, r.err);
  CHECK(contains(r.out, "\"next_cursor\": \"72313a763a313a39\""));
  CHECK(contains(r.out, "张三"));
}

TEST_CASE("sessions list and alerts list") {
  AdminHarness sessions(always(
      200,
      R"({"sessions":[{"place":{"school_id":"s1","room":"机房1","seat":3,"hostname":"JF1-03"},)"
      R"("session":{"user":"李四","where":"seat0","start":"2026-11-21T01:00:00Z",)"
      R"("end":"2026-11-21T02:30:00Z","end_reason":"SESSION_END_REASON_LOGOUT"}},)"
      R"({"place":{"school_id":"s1"},"session":{"user":"王五","start":"2026-11-21T03:00:00Z"}}]})"));
  const AdminRun s = sessions.run({"sessions", "list", "--school", "s1", "--since", "24h"});
  CHECK_MESSAGE(s.code == 0, s.err);
  CHECK(contains(sessions.requests()[0].url, "/api/v1/sessions?school=s1&since=2026-11-20T14"));
  CHECK(contains(s.out, "2026-11-21 01:00:00"));
  CHECK(contains(s.out, "2026-11-21 02:30:00"));
  CHECK(contains(s.out, "注销"));
  CHECK(contains(s.out, "在线"));
  CHECK(contains(s.out, "本页 2 条上机记录"));
  const AdminRun csv = sessions.run({"sessions", "list", "--csv"});
  CHECK(contains(csv.out, "\xEF\xBB\xBF上机时间,下机时间,学校,机房,座位"));
  CHECK(contains(csv.out, "2026-11-21 03:00:00,,s1,,,,,王五,0,,,在线"));

  AdminHarness alerts(always(
      200, R"({"alerts":[{"place":{"school_id":"s1"},"alert":{"category":"SITE_CATEGORY_GAMBLING",)"
           R"("pattern":"bet.example","visit":{"url":"https://bet.example/","user":"u",)"
           R"("visit_time":"2026-11-21T05:00:00Z"}}}]})"));
  const AdminRun a = alerts.run({"alerts", "list", "--category", "gambling"});
  CHECK_MESSAGE(a.code == 0, a.err);
  CHECK(contains(alerts.requests()[0].url, "/api/v1/alerts?category=gambling"));
  CHECK(contains(a.out, "赌博"));
  CHECK(contains(a.out, "bet.example"));
}

TEST_CASE("usage errors are caught before any request") {
  AdminHarness h(always(200, kVisits));
  CHECK(h.run({"browsing", "search", "--room", "机房1"}).code == 2);
  CHECK(h.run({"browsing", "search", "--until", "yesterday"}).code == 2);
  CHECK(h.run({"browsing", "search", "--limit", "1001"}).code == 2);
  CHECK(h.run({"sessions", "list", "--domain", "a.cn"}).code == 2);  // not a session filter
  CHECK(h.requests().empty());
  // The collector's refusal keeps its stable code.
  AdminHarness bad(always(400, R"({"error":{"code":"E_INVALID_ARGUMENT","message":"cursor is )"
                               R"(not one this search handed out"}})"));
  const AdminRun r = bad.run({"browsing", "search", "--cursor", "zz"});
  CHECK(r.code == 5);
  CHECK(contains(r.err, "E_INVALID_ARGUMENT"));
}

TEST_CASE("csvSafe prefixes what a spreadsheet would run") {
  CHECK(csvSafe("=1+1") == "'=1+1");
  CHECK(csvSafe("+86") == "'+86");
  CHECK(csvSafe("-x") == "'-x");
  CHECK(csvSafe("@SUM") == "'@SUM");
  CHECK(csvSafe("百度") == "百度");
  CHECK(csvSafe("") == "");
}

}  // namespace
}  // namespace xiaoan::admin::testing
