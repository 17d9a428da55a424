#include "agent/ctl/records_text.h"

#include "common/text/browser_name.h"
#include "common/text/text_width.h"

namespace xiaoan::ctl {
namespace {

// Why a browser is not covered, from SiteBlocker's reason codes.
std::string reasonText(const std::string& reason, Lang lang) {
  if (reason == "foreign_policy_file") {
    return tr(lang, "策略文件由其他程序管理", "its policy file belongs to another program");
  }
  if (reason.rfind("write_failed", 0) == 0) {
    return tr(lang, "写入失败", "write failed") + std::string(": ") +
           sanitizeForTerminal(reason.substr(
               reason.find(':') == std::string::npos ? reason.size() : reason.find(':') + 2));
  }
  if (reason.rfind("unreadable", 0) == 0)
    return tr(lang, "无法读取策略文件", "policy file unreadable");
  return sanitizeForTerminal(reason);
}

}  // namespace

std::string blockingLine(const v1::BrowsingStatus& b, Lang lang) {
  if (b.blocked_domains() == 0) {
    return tr(lang, "未启用（策略未要求拦截网站）", "off (the policy blocks no site)");
  }
  const std::string sep = tr(lang, "、", ", ");
  std::string covered, uncovered, limited;
  for (const auto& c : b.coverage()) {
    if (c.covered()) {
      if (!covered.empty()) covered += sep;
      covered += browserName(c.browser(), lang);
      if (c.reason().rfind("limit_", 0) == 0) limited = c.reason().substr(6);
    } else {
      if (!uncovered.empty()) uncovered += sep;
      uncovered += browserName(c.browser(), lang) + tr(lang, "（", " (") +
                   reasonText(c.reason(), lang) + tr(lang, "）", ")");
    }
  }
  const std::string n = std::to_string(b.blocked_domains());
  std::string out = tr(lang, "拦截 " + n + " 个域名",
                       n + (b.blocked_domains() == 1 ? " domain" : " domains") + " blocked");
  out += tr(lang, "；已生效：", "; in force in: ") +
         (covered.empty() ? tr(lang, "无", "none") : covered);
  if (!uncovered.empty()) out += tr(lang, "；未覆盖：", "; not covered: ") + uncovered;
  if (!limited.empty()) {
    out += tr(lang, "；Chromium 系浏览器只接受前 " + limited + " 个",
              "; Chromium-family browsers take the first " + limited + " only");
  }
  return out;
}

std::string sessionsLine(const v1::BrowsingStatus& b, Lang lang) {
  const std::string n = std::to_string(b.open_sessions());
  return tr(lang, "当前 " + n + " 个登录会话",
            n + (b.open_sessions() == 1 ? " login session open" : " login sessions open"));
}

}  // namespace xiaoan::ctl
