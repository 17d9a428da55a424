#include "service/admin_cli/records_output.h"

#include <array>

#include "common/text/browser_name.h"
#include "common/text/text_width.h"
#include "common/text/time_format.h"
#include "common/text/tr.h"

namespace xiaoan::admin {
namespace {

constexpr size_t kUrlColumns = 60;
constexpr size_t kTitleColumns = 30;

std::string localTime(const google::protobuf::Timestamp& t) { return formatLocalTime(t.seconds()); }

std::string cell(const std::string& text, size_t columns) {
  std::string clean = sanitizeForTerminal(text);
  if (clean.empty()) return "-";
  return columns == 0 ? clean : truncateToWidth(clean, columns);
}

// "s1/机房1/12", "s1/机房1", "s1".
std::string placeName(const v1::RecordPlace& p) {
  std::string out = p.school_id();
  if (!p.room().empty()) out += "/" + p.room();
  if (p.seat() > 0) out += "/" + std::to_string(p.seat());
  return out;
}

std::string terminalName(const v1::RecordPlace& p) {
  return p.hostname().empty() ? p.terminal_id() : p.hostname();
}

std::string transitionName(Lang lang, v1::VisitTransition t) {
  static constexpr std::array<std::pair<const char*, const char*>, 11> kNames = {{
      {"-", "-"},
      {"链接", "link"},
      {"输入", "typed"},
      {"书签", "bookmark"},
      {"刷新", "reload"},
      {"重定向", "redirect"},
      {"搜索", "search"},
      {"表单", "form"},
      {"下载", "download"},
      {"自动", "auto"},
      {"其他", "other"},
  }};
  size_t i = static_cast<size_t>(t) < kNames.size() ? static_cast<size_t>(t) : 0;
  return tr(lang, kNames[i].first, kNames[i].second);
}

std::string endReasonName(Lang lang, const v1::SeatSessionEvent& s) {
  if (!s.has_end()) return tr(lang, "在线", "open");
  switch (s.end_reason()) {
    case v1::SESSION_END_REASON_LOGOUT:
      return tr(lang, "注销", "logout");
    case v1::SESSION_END_REASON_REBOOT:
      return tr(lang, "关机/重启", "shutdown/reboot");
    case v1::SESSION_END_REASON_UNOBSERVED:
      return tr(lang, "未观察到", "unobserved");
    default:
      return "-";
  }
}

const RecordColumns::Header& placeCsvHeader() {
  static const RecordColumns::Header kHeader = {{"学校", "school"},
                                                {"机房", "room"},
                                                {"座位", "seat"},
                                                {"主机名", "hostname"},
                                                {"终端 ID", "terminal id"}};
  return kHeader;
}

std::vector<std::string> placeCsv(const v1::RecordPlace& p) {
  return {p.school_id(), csvSafe(p.room()), p.seat() > 0 ? std::to_string(p.seat()) : "",
          csvSafe(p.hostname()), p.terminal_id()};
}

RecordColumns::Header withPlace(RecordColumns::Header first, const RecordColumns::Header& rest) {
  first.insert(first.end(), placeCsvHeader().begin(), placeCsvHeader().end());
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b,
                              const std::vector<std::string>& c) {
  a.insert(a.end(), b.begin(), b.end());
  a.insert(a.end(), c.begin(), c.end());
  return a;
}

}  // namespace

std::vector<std::string> RecordColumns::pick(const Header& h, Lang lang) {
  std::vector<std::string> out;
  for (const auto& [zh, en] : h) out.push_back(lang == Lang::kEn ? en : zh);
  return out;
}

std::string csvSafe(const std::string& cell) {
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    return "'" + cell;
  }
  return cell;
}

std::string categoryName(Lang lang, v1::SiteCategory category) {
  switch (category) {
    case v1::SITE_CATEGORY_GAMBLING:
      return tr(lang, "赌博", "gambling");
    case v1::SITE_CATEGORY_PORNOGRAPHY:
      return tr(lang, "色情", "pornography");
    case v1::SITE_CATEGORY_GAMES:
      return tr(lang, "游戏", "games");
    case v1::SITE_CATEGORY_VIOLENCE:
      return tr(lang, "暴力", "violence");
    case v1::SITE_CATEGORY_CULTS:
      return tr(lang, "邪教", "cults");
    case v1::SITE_CATEGORY_ANONYMIZERS:
      return tr(lang, "翻墙/匿名", "anonymizers");
    case v1::SITE_CATEGORY_OTHER:
      return tr(lang, "其他", "other");
    default:
      return "-";
  }
}

RecordColumns visitColumns(Lang lang, const v1::BrowsingVisitPage& page) {
  RecordColumns out({{"访问时间", "time"},
                     {"位置", "place"},
                     {"终端", "terminal"},
                     {"用户", "user"},
                     {"浏览器", "browser"},
                     {"网址", "URL"},
                     {"标题", "title"}},
                    withPlace({{"访问时间", "time"}}, {{"用户", "user"},
                                                       {"浏览器", "browser"},
                                                       {"配置文件", "profile"},
                                                       {"网址", "URL"},
                                                       {"域名", "domain"},
                                                       {"标题", "title"},
                                                       {"访问方式", "transition"},
                                                       {"停留毫秒", "duration ms"},
                                                       {"来自同步", "synced"}}));
  for (const auto& r : page.visits()) {
    const auto& v = r.visit();
    out.addTableRow({localTime(v.visit_time()), cell(placeName(r.place()), 0),
                     cell(terminalName(r.place()), 0), cell(v.user(), 0),
                     browserName(v.browser(), lang), cell(v.url(), kUrlColumns),
                     cell(v.title(), kTitleColumns)});
    out.addCsvRow(join(
        {localTime(v.visit_time())}, placeCsv(r.place()),
        {csvSafe(v.user()), browserName(v.browser(), lang), csvSafe(v.profile()), csvSafe(v.url()),
         csvSafe(v.domain()), csvSafe(v.title()), transitionName(lang, v.transition()),
         v.duration_ms() > 0 ? std::to_string(v.duration_ms()) : "",
         v.synced() ? tr(lang, "是", "yes") : ""}));
  }
  return out;
}

RecordColumns sessionColumns(Lang lang, const v1::SeatSessionPage& page) {
  RecordColumns out(
      {{"上机时间", "start"},
       {"下机时间", "end"},
       {"位置", "place"},
       {"终端", "terminal"},
       {"用户", "user"},
       {"登录方式", "where"},
       {"结束方式", "ended by"}},
      withPlace({{"上机时间", "start"}, {"下机时间", "end"}}, {{"用户", "user"},
                                                               {"UID", "uid"},
                                                               {"登录方式", "where"},
                                                               {"远程主机", "remote host"},
                                                               {"结束方式", "ended by"}}));
  for (const auto& r : page.sessions()) {
    const auto& s = r.session();
    std::string end = s.has_end() ? localTime(s.end()) : "-";
    out.addTableRow({localTime(s.start()), end, cell(placeName(r.place()), 0),
                     cell(terminalName(r.place()), 0), cell(s.user(), 0), cell(s.where(), 0),
                     endReasonName(lang, s)});
    out.addCsvRow(join({localTime(s.start()), s.has_end() ? end : ""}, placeCsv(r.place()),
                       {csvSafe(s.user()), std::to_string(s.uid()), csvSafe(s.where()),
                        csvSafe(s.remote_host()), endReasonName(lang, s)}));
  }
  return out;
}

RecordColumns alertColumns(Lang lang, const v1::SiteAlertPage& page) {
  RecordColumns out({{"访问时间", "time"},
                     {"类别", "category"},
                     {"位置", "place"},
                     {"终端", "terminal"},
                     {"用户", "user"},
                     {"命中", "matched"},
                     {"网址", "URL"}},
                    withPlace({{"访问时间", "time"}, {"类别", "category"}},
                              {{"用户", "user"},
                               {"浏览器", "browser"},
                               {"命中规则", "pattern"},
                               {"网址", "URL"},
                               {"域名", "domain"},
                               {"标题", "title"},
                               {"已拦截类别", "blocked category"}}));
  for (const auto& r : page.alerts()) {
    const auto& a = r.alert();
    const auto& v = a.visit();
    out.addTableRow({localTime(v.visit_time()), categoryName(lang, a.category()),
                     cell(placeName(r.place()), 0), cell(terminalName(r.place()), 0),
                     cell(v.user(), 0), cell(a.pattern(), kTitleColumns),
                     cell(v.url(), kUrlColumns)});
    out.addCsvRow(join({localTime(v.visit_time()), categoryName(lang, a.category())},
                       placeCsv(r.place()),
                       {csvSafe(v.user()), browserName(v.browser(), lang), csvSafe(a.pattern()),
                        csvSafe(v.url()), csvSafe(v.domain()), csvSafe(v.title()),
                        a.blocked_category() ? tr(lang, "是", "yes") : ""}));
  }
  return out;
}

}  // namespace xiaoan::admin
