// `browsing search`, `sessions list`, `alerts list` (issue 12): the collector's record
// searches, one page per call, as a table, JSON or CSV (UTF-8 with BOM for Excel).
#include <functional>

#include "common/cli/cli_args.h"
#include "common/text/csv_line.h"
#include "common/text/text_table.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/list_args.h"
#include "service/admin_cli/records_output.h"
#include "service/admin_cli/terminal_ref.h"
#include "service/admin_cli/time_args.h"

namespace xiaoan::admin {
namespace {

constexpr uint64_t kDefaultLimit = 100;  // the API's default
constexpr uint64_t kMaxLimit = 1000;     // and maximum

// Which filters a command offers besides the common ones.
struct Filters {
  bool url = false;       // --domain, --keyword
  bool category = false;  // --category
};

std::vector<OptionSpec> filterOptions(Filters f, const std::string& what_en) {
  std::vector<OptionSpec> out = {
      {"school", true, "S", "只看该学校", "only this school"},
      {"room", true, "R", "只看该机房（需 --school）", "only this room (with --school)"},
      {"terminal", true, "REF", "只看该终端：ID、主机名或 学校/机房/座位",
       "only this terminal: id, hostname or school/room/seat"},
      {"account", true, "U", "只看该用户（电脑上的账户名）",
       "only this user (account name on the PC)"},
      sinceOption(),
      {"until", true, "TIME", "截止时间（不含；RFC 3339 或 24h 等）",
       "end time (exclusive; RFC 3339 or like 24h)"},
      limitOption(kDefaultLimit, kMaxLimit, what_en),
      {"cursor", true, "C", "从上一页给出的游标继续",
       "continue from the cursor the last page gave"},
      {"csv", false, "", "输出 CSV（UTF-8 带 BOM，Excel 可直接打开）",
       "print CSV (UTF-8 with BOM, opens in Excel)"}};
  if (f.url) {
    out.push_back(
        {"domain", true, "D", "只看该域名及其子域名", "only this domain and its subdomains"});
    out.push_back({"keyword", true, "K", "网址或标题中包含该词（可用中文）",
                   "a word in the URL or title (Chinese works)"});
  }
  if (f.category) {
    out.push_back({"category", true, "C",
                   "类别：gambling、pornography、games、violence、cults、anonymizers、other",
                   "category: gambling, pornography, games, violence, cults, anonymizers, other"});
  }
  return out;
}

// The filter from the arguments; a usage error or an unresolved terminal sets `code`.
bool fillFilter(const AdminContext& ctx, const ParsedArgs& args, RecordFilter& f, int& code) {
  auto copy = [&](const char* name, std::string& to) {
    if (const std::string* v = args.value(name)) to = *v;
  };
  copy("school", f.school);
  copy("room", f.room);
  copy("account", f.user);
  copy("domain", f.domain);
  copy("keyword", f.keyword);
  copy("category", f.category);
  copy("cursor", f.cursor);
  if (!f.room.empty() && f.school.empty()) {
    code = reportUsage(ctx, tr(ctx.lang, "--room 需要同时给出 --school", "--room needs --school"));
    return false;
  }
  if (const std::string* t = args.value("terminal")) {
    auto id = resolveTerminalArg(ctx, *t, code);
    if (!id) return false;
    f.terminal = *id;
  }
  if (const std::string* until = args.value("until")) {
    auto at = parseSince(*until, ctx.nowSeconds());
    if (!at) {
      code = reportUsage(
          ctx, tr(ctx.lang, "--until 应为 RFC 3339 时间（2026-11-01T00:00:00Z）或 24h、7d 等",
                  "--until must be an RFC 3339 time (2026-11-01T00:00:00Z) or like 24h, 7d"));
      return false;
    }
    f.until = *at;
  }
  code = sinceAndLimit(ctx, args, kMaxLimit, &f.since, &f.limit);
  return code == kExitOk;
}

// Prints the page: JSON as is, CSV with its BOM (next cursor on stderr, so the file stays
// clean), or a table with the count and the next cursor.
template <typename Page>
int printPage(const AdminContext& ctx, const ParsedArgs& args, const Page& page, size_t count,
              const RecordColumns& columns, const std::string& what_zh,
              const std::string& what_en) {
  if (ctx.json) return printJson(ctx, page);
  const bool csv = args.flag("csv");
  if (csv) {
    ctx.out() << kUtf8Bom << csvLine(columns.csvHeader(ctx.lang)) << "\r\n";
    for (const auto& row : columns.csvRows()) ctx.out() << csvLine(row) << "\r\n";
  } else {
    TextTable table(columns.tableHeader(ctx.lang));
    for (const auto& row : columns.tableRows()) table.addRow(row);
    const std::string n = std::to_string(count);
    ctx.out() << table.render()
              << tr(ctx.lang, "本页 " + n + " 条" + what_zh + "\n",
                    n + " " + what_en + " on this page\n");
  }
  if (!page.next_cursor().empty()) {
    (csv ? ctx.err() : ctx.out()) << tr(ctx.lang, "下一页：--cursor ", "next page: --cursor ")
                                  << page.next_cursor() << "\n";
  }
  return kExitOk;
}

// One record search: its spec, the API call and the columns of what it returns.
template <typename Page>
class RecordsCommand final : public AdminCommand {
 public:
  using Fetch = std::function<Result<Page>(AdminApiClient&, const RecordFilter&)>;
  using Columns = std::function<RecordColumns(Lang, const Page&)>;
  using Count = std::function<size_t(const Page&)>;
  RecordsCommand(AdminCommandSpec spec, Fetch fetch, Columns columns, Count count,
                 std::string what_zh, std::string what_en)
      : spec_(std::move(spec)),
        fetch_(std::move(fetch)),
        columns_(std::move(columns)),
        count_(std::move(count)),
        what_zh_(std::move(what_zh)),
        what_en_(std::move(what_en)) {}

  const AdminCommandSpec& spec() const override { return spec_; }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    RecordFilter filter;
    int code = kExitOk;
    if (!fillFilter(ctx, args, filter, code)) return code;
    auto page = fetch_(*ctx.api, filter);
    if (!page.isOk()) return reportApiFailure(ctx, page.status());
    return printPage(ctx, args, *page, count_(*page), columns_(ctx.lang, *page), what_zh_,
                     what_en_);
  }

 private:
  const AdminCommandSpec spec_;
  const Fetch fetch_;
  const Columns columns_;
  const Count count_;
  const std::string what_zh_;
  const std::string what_en_;
};

}  // namespace

std::unique_ptr<AdminCommand> makeBrowsingSearchCommand() {
  return std::make_unique<RecordsCommand<v1::BrowsingVisitPage>>(
      AdminCommandSpec{{"browsing", "search"},
                       "[--school S [--room R]] [--terminal REF] [--account U] [--domain D] "
                       "[--keyword K] [--since T] [--until T] [--limit N] [--cursor C] [--csv]",
                       "查询上网记录（从新到旧，分页）",
                       "search browsing records (newest first, paged)",
                       filterOptions({true, false}, "visits")},
      [](AdminApiClient& api, const RecordFilter& f) { return api.searchVisits(f); }, visitColumns,
      [](const v1::BrowsingVisitPage& p) { return size_t(p.visits_size()); }, "上网记录", "visits");
}

std::unique_ptr<AdminCommand> makeSessionsListCommand() {
  return std::make_unique<RecordsCommand<v1::SeatSessionPage>>(
      AdminCommandSpec{{"sessions", "list"},
                       "[--school S [--room R]] [--terminal REF] [--account U] [--since T] "
                       "[--until T] [--limit N] [--cursor C] [--csv]",
                       "列出上机记录（谁在何时使用哪个座位，从新到旧）",
                       "list seat sessions (who used which seat when, newest first)",
                       filterOptions({false, false}, "sessions")},
      [](AdminApiClient& api, const RecordFilter& f) { return api.listSessions(f); },
      sessionColumns, [](const v1::SeatSessionPage& p) { return size_t(p.sessions_size()); },
      "上机记录", "sessions");
}

std::unique_ptr<AdminCommand> makeAlertsListCommand() {
  return std::make_unique<RecordsCommand<v1::SiteAlertPage>>(
      AdminCommandSpec{{"alerts", "list"},
                       "[--school S [--room R]] [--terminal REF] [--account U] [--domain D] "
                       "[--keyword K] [--category C] [--since T] [--until T] [--limit N] "
                       "[--cursor C] [--csv]",
                       "列出有害网站告警（从新到旧）",
                       "list harmful-site alerts (newest first)",
                       filterOptions({true, true}, "alerts")},
      [](AdminApiClient& api, const RecordFilter& f) { return api.listAlerts(f); }, alertColumns,
      [](const v1::SiteAlertPage& p) { return size_t(p.alerts_size()); }, "告警", "alerts");
}

}  // namespace xiaoan::admin
