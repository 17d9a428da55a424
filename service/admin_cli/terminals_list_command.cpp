#include "common/text/text_table.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `terminals list [--school S]`: GET /api/v1/terminals.
class TerminalsListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"terminals", "list"},
        "[--school S]",
        "列出终端及其最近签到、策略与特征库版本",
        "list terminals with their last check-in, policy and signature bundle versions",
        {{"school", true, "S", "只列出该学校", "only this school"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* school = args.value("school");
    auto list = ctx.api->listTerminals(school ? *school : "");
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "终端 ID", "terminal id"), tr(ctx.lang, "学校", "school"),
                     tr(ctx.lang, "机房", "room"), tr(ctx.lang, "主机名", "hostname"), "IPv4",
                     tr(ctx.lang, "代理版本", "agent"), tr(ctx.lang, "策略版本", "policy"),
                     tr(ctx.lang, "特征库版本", "signatures"),
                     tr(ctx.lang, "上次签到", "last check-in"), tr(ctx.lang, "待上传", "pending"),
                     tr(ctx.lang, "事件数", "events"), tr(ctx.lang, "状态", "state")});
    for (const auto& t : list->terminals()) {
      table.addRow({t.id(), t.school_id(), t.room().empty() ? "-" : t.room(), t.hostname(),
                    commaList(t.ipv4()), t.agent_version(),
                    t.policy_version() == 0 ? "-" : std::to_string(t.policy_version()),
                    t.signatures_version() == 0 ? "-" : std::to_string(t.signatures_version()),
                    tableTime(t.last_checkin(), t.has_last_checkin()),
                    std::to_string(t.spool_pending()), std::to_string(t.events_stored()),
                    t.silent() ? tr(ctx.lang, "失联", "silent") : tr(ctx.lang, "正常", "ok")});
    }
    const auto n = std::to_string(list->terminals_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 台终端\n", n + " terminals\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeTerminalsListCommand() {
  return std::make_unique<TerminalsListCommand>();
}

}  // namespace xiaoan::admin
