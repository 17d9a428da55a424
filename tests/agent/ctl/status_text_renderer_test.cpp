#include "agent/ctl/status_text_renderer.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <time.h>

#include <sstream>

#include "common/text/text_width.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string render(const v1::AgentStatus& s, Lang lang = Lang::kZhCn) {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  return renderStatusText(s, {lang, kNow});
}

TEST_CASE("strings from the status cannot inject terminal escapes or fake rows") {
  v1::AgentStatus s = offlineStatus();
  s.mutable_last_error()->set_message("refused\x1b[2J\n  策略版本   | 999");
  s.set_collector_url("https://evil\x07.example");
  s.mutable_errors(0)->set_code("E_X\x1b]0;title\x07");
  const std::string out = render(s);
  CHECK_FALSE(contains(out, "\x1b"));
  CHECK_FALSE(contains(out, "\x07"));
  CHECK(contains(out, "refused\xEF\xBF\xBD[2J\xEF\xBF\xBD  策略版本   | 999"));
  // Still exactly one policy row.
  size_t rows = 0;
  for (size_t p = out.find("策略版本"); p != std::string::npos; p = out.find("策略版本", p + 1)) {
    ++rows;
  }
  CHECK(rows == 2);  // the real row and the quoted text inside the detail, on one line
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) CHECK(line.rfind("  策略版本   | 999", 0) != 0);
}

TEST_CASE("every key|value row of a section is aligned by display width") {
  for (Lang lang : {Lang::kZhCn, Lang::kEn}) {
    std::istringstream lines(render(offlineStatus(), lang));
    std::string line;
    size_t bar_column = 0;
    bool in_errors = false;
    while (std::getline(lines, line)) {
      if (line == "错误" || line == "Errors") in_errors = true;
      const size_t bar = line.find(" | ");
      if (bar == std::string::npos || in_errors) continue;
      const size_t column = displayWidth(line.substr(0, bar));
      if (bar_column == 0) bar_column = column;
      CHECK(column == bar_column);
    }
    CHECK(bar_column > 0);
  }
}

TEST_CASE("unknown codes, classes and states still render") {
  v1::AgentStatus s = healthyStatus();
  s.set_connection(v1::CONNECTION_STATE_UNSPECIFIED);
  s.set_enrollment(v1::ENROLLMENT_STATE_REJECTED);
  auto* other = s.add_spool();
  other->set_priority(v1::PRIORITY_UNSPECIFIED);
  other->set_pending_records(2);
  other->set_bytes(5ull * 1024 * 1024 * 1024);
  other->set_dropped_records(7);
  s.add_errors()->set_code("E_FROM_THE_FUTURE");
  s.add_errors()->set_message("detail only");
  const std::string en = render(s, Lang::kEn);
  CHECK(contains(
      en, "agent is running but degraded: enrollment rejected, not connected yet, 2 errors"));
  CHECK(contains(en, "unknown (no exchange with the collector yet)"));
  CHECK(contains(en, "other             | 2 pending (5 GiB), 7 dropped"));
  CHECK(contains(en, "  E_FROM_THE_FUTURE | unknown error\n"));
  CHECK(contains(en, "  (no code)         | detail only\n"));
  // Security, activity, then the unknown class.
  CHECK(en.find("security") < en.find("activity"));
  CHECK(en.find("activity  ") < en.find("other  "));
}

TEST_CASE("an empty status renders without inventing facts") {
  v1::AgentStatus s;
  s.set_daemon_running(true);
  const std::string zh = render(s);
  CHECK(contains(zh, "版本       | 未知"));
  CHECK(contains(zh, "状态时间   | 未知"));
  CHECK(contains(zh, "管理服务器 | （未配置）"));
  CHECK(contains(zh, "上次签到   | 从未"));
  CHECK(contains(zh, "待发送     | 无数据"));
  CHECK(contains(zh, "磁盘占用   | 0 B\n"));
  CHECK_FALSE(contains(zh, "启动时间"));
  CHECK_FALSE(contains(zh, "签到间隔"));
}

TEST_CASE("browsing section: zh-CN by default, English on request, only when reported") {
  v1::AgentStatus s;
  s.set_daemon_running(true);
  CHECK_FALSE(contains(render(s), "上网记录"));
  auto* b = s.mutable_browsing();
  b->set_enabled(true);
  b->set_profiles(3);
  b->set_visits_read(1234);
  b->mutable_last_poll()->set_seconds(kNow - 90);
  b->mutable_last_error()->set_code("E_DATABASE");
  b->mutable_last_error()->set_message("unexpected schema\x1b[2J");
  const std::string zh = render(s);
  CHECK(contains(zh, "上网记录"));
  CHECK(contains(zh, "已启用"));
  CHECK(contains(zh, "| 3\n"));
  CHECK(contains(zh, "| 1234\n"));
  CHECK(contains(zh, "E_DATABASE unexpected schema"));
  CHECK_FALSE(contains(zh, "\x1b"));
  const std::string en = render(s, Lang::kEn);
  CHECK(contains(en, "Browsing"));
  CHECK(contains(en, "visits read"));
  b->set_enabled(false);
  CHECK(contains(render(s, Lang::kEn), "off (policy)"));
}

}  // namespace
}  // namespace xiaoan::ctl::testing
