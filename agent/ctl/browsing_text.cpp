#include "agent/ctl/browsing_text.h"

#include "common/text/text_width.h"
#include "common/text/time_format.h"

namespace xiaoan::ctl {

std::vector<std::pair<std::string, std::string>> browsingStatusRows(const v1::BrowsingStatus& b,
                                                                    Lang lang, int64_t now) {
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back(
      tr(lang, "上网记录", "collection"),
      b.enabled() ? tr(lang, "已启用", "on") : tr(lang, "已关闭（策略）", "off (policy)"));
  rows.emplace_back(tr(lang, "浏览器配置", "profiles"), std::to_string(b.profiles()));
  rows.emplace_back(tr(lang, "上次读取", "last read"),
                    b.has_last_poll() ? formatTimeWithAge(b.last_poll().seconds(), now, lang)
                                      : tr(lang, "尚未读取", "not yet"));
  rows.emplace_back(tr(lang, "已读取访问", "visits read"), std::to_string(b.visits_read()));
  if (!b.last_error().code().empty()) {
    rows.emplace_back(tr(lang, "读取错误", "read error"),
                      sanitizeForTerminal(b.last_error().code() + " " + b.last_error().message()));
  }
  return rows;
}

}  // namespace xiaoan::ctl
