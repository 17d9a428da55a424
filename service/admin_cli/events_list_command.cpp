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

constexpr uint64_t kDefaultLimit = 1000;  // the API's default
constexpr uint64_t kMaxLimit = 10000;     // and maximum
constexpr size_t kPayloadColumns = 60;    // payload column width in the table

// `events list [--type T] [--terminal ID] [--since TIME|24h] [--limit N]`: GET /api/v1/events.
class EventsListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"events", "list"},
        "[--type T] [--terminal ID] [--since 2026-11-01T00:00:00Z|24h] [--limit N]",
        "列出已收到的事件（从旧到新）",
        "list stored events (oldest first)",
        {{"type", true, "T", "事件类型：diagnostic、gap、lifecycle、security_alert",
          "event type: diagnostic, gap, lifecycle, security_alert"},
         {"terminal", true, "ID", "只列出该终端", "only this terminal"},
         sinceOption(),
         limitOption(kDefaultLimit, kMaxLimit, "events")}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    EventQuery query;
    if (int code = fill(ctx, args, &query); code != kExitOk) return code;
    auto list = ctx.api->listEvents(query);
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({"ID", tr(ctx.lang, "时间", "time"), tr(ctx.lang, "终端", "terminal"),
                     tr(ctx.lang, "流", "stream"), tr(ctx.lang, "序号", "seq"),
                     tr(ctx.lang, "类型", "type"), tr(ctx.lang, "内容", "payload")});
    for (const auto& e : list->events()) {
      table.addRow({std::to_string(e.id()), tableTime(e.time(), e.has_time()), e.terminal_id(),
                    e.stream(), std::to_string(e.seq()), e.type(),
                    truncateToWidth(sanitizeForTerminal(e.payload_json()), kPayloadColumns)});
    }
    const auto n = std::to_string(list->events_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 条事件\n", n + " events\n");
    return kExitOk;
  }

 private:
  static int fill(AdminContext& ctx, const ParsedArgs& args, EventQuery* q) {
    if (const std::string* type = args.value("type")) q->type = *type;
    if (const std::string* terminal = args.value("terminal")) q->terminal = *terminal;
    return sinceAndLimit(ctx, args, kMaxLimit, &q->since, &q->limit);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeEventsListCommand() {
  return std::make_unique<EventsListCommand>();
}

}  // namespace xiaoan::admin
