#include "common/cli/cli_args.h"
#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/list_args.h"

namespace xiaoan::admin {
namespace {

constexpr uint64_t kDefaultLimit = 100;  // the API's default
constexpr uint64_t kMaxLimit = 1000;     // and maximum
constexpr size_t kPathColumns = 50;
constexpr size_t kRuleColumns = 40;

std::string actionName(const AdminContext& ctx, v1::DetectionAction action) {
  switch (action) {
    case v1::DETECTION_ACTION_REPORTED:
      return tr(ctx.lang, "已报告", "reported");
    case v1::DETECTION_ACTION_QUARANTINED:
      return tr(ctx.lang, "已隔离", "quarantined");
    case v1::DETECTION_ACTION_QUARANTINE_FAILED:
      return tr(ctx.lang, "隔离失败", "quarantine failed");
    case v1::DETECTION_ACTION_QUARANTINE_SKIPPED:
      return tr(ctx.lang, "隔离区满，未隔离", "not quarantined (full)");
    default:
      return "-";
  }
}

std::string ruleNames(const v1::DetectionEvent& d) {
  std::string out;
  for (const auto& m : d.matches()) out += (out.empty() ? "" : ",") + m.rule();
  return out.empty() ? "-" : truncateToWidth(sanitizeForTerminal(out), kRuleColumns);
}

// The path's end says most (the file name), so a long path keeps its tail.
std::string shortPath(const std::string& path) {
  std::string clean = sanitizeForTerminal(path);
  if (displayWidth(clean) <= kPathColumns) return clean.empty() ? "-" : clean;
  size_t cut = clean.size() - kPathColumns + 1;
  while (cut < clean.size() && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) ++cut;
  return "\xE2\x80\xA6" + clean.substr(cut);
}

// `detections list [--school S] [--since TIME|24h] [--limit N]`: GET /api/v1/detections.
class DetectionsListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"detections", "list"},
        "[--school S] [--since 2026-11-01T00:00:00Z|24h] [--limit N]",
        "列出病毒检出记录（从新到旧）",
        "list detections (newest first)",
        {{"school", true, "S", "只列出该学校", "only this school"},
         sinceOption(),
         limitOption(kDefaultLimit, kMaxLimit, "detections")}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    DetectionQuery query;
    if (int code = fill(ctx, args, &query); code != kExitOk) return code;
    auto list = ctx.api->listDetections(query);
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "时间", "time"), tr(ctx.lang, "学校", "school"),
                     tr(ctx.lang, "终端", "terminal"), tr(ctx.lang, "路径", "path"),
                     tr(ctx.lang, "规则", "rules"), tr(ctx.lang, "处置", "action")});
    for (const auto& r : list->detections()) {
      const auto& d = r.detection();
      table.addRow({tableTime(r.time(), r.has_time()), r.school_id(),
                    sanitizeForTerminal(r.hostname().empty() ? r.terminal_id() : r.hostname()),
                    shortPath(d.path()), ruleNames(d), actionName(ctx, d.action())});
    }
    const auto n = std::to_string(list->detections_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 条检出\n", n + " detections\n");
    return kExitOk;
  }

 private:
  static int fill(AdminContext& ctx, const ParsedArgs& args, DetectionQuery* q) {
    if (const std::string* school = args.value("school")) q->school = *school;
    return sinceAndLimit(ctx, args, kMaxLimit, &q->since, &q->limit);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeDetectionsListCommand() {
  return std::make_unique<DetectionsListCommand>();
}

}  // namespace xiaoan::admin
