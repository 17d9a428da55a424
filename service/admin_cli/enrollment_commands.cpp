#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `enrollment pending [--school S]`: GET /api/v1/enrollments/pending.
class EnrollmentPendingCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"enrollment", "pending"},
        "[--school S]",
        "列出等待批准的重新注册（已登记终端的新实例）",
        "list re-enrollments of known PCs waiting for approval",
        {{"school", true, "S", "只列出该学校", "only this school"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* school = args.value("school");
    auto list = ctx.api->listPendingEnrollments(school ? *school : "");
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({"ID", tr(ctx.lang, "学校", "school"), tr(ctx.lang, "终端", "terminal"),
                     tr(ctx.lang, "主机名", "hostname"), tr(ctx.lang, "不一致", "differs"),
                     tr(ctx.lang, "次数", "attempts"), tr(ctx.lang, "最近", "last seen"),
                     tr(ctx.lang, "状态", "state")});
    for (const auto& e : list->enrollments()) {
      table.addRow(
          {e.id(), e.school_id(), e.terminal_id(), e.hostname(), commaList(e.mismatched()),
           std::to_string(e.attempts()), tableTime(e.last_seen(), e.has_last_seen()),
           e.approved() ? tr(ctx.lang, "已批准", "approved") : tr(ctx.lang, "待批准", "pending")});
    }
    const auto n = std::to_string(list->enrollments_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 条\n", n + " pending\n");
    return kExitOk;
  }
};

// `enrollment approve ID`: POST /api/v1/enrollments/pending/<id>/approve.
class EnrollmentApproveCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"enrollment", "approve"},
        "ID",
        "批准一次重新注册（该实例下次尝试时接管终端）",
        "approve a re-enrollment (the instance takes over the PC at its next attempt)",
        {},
        1,
        1};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    auto approved = ctx.api->approvePendingEnrollment(args.positionals.at(0));
    if (!approved.isOk()) return reportApiFailure(ctx, approved.status());
    if (ctx.json) return printJson(ctx, *approved);
    const std::string t = sanitizeForTerminal(approved->terminal_id());
    ctx.out() << tr(
        ctx.lang, "已批准：终端 " + t + " 的新实例下次尝试注册时接入\n",
        "approved: the new instance of terminal " + t + " is linked at its next attempt\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeEnrollmentPendingCommand() {
  return std::make_unique<EnrollmentPendingCommand>();
}

std::unique_ptr<AdminCommand> makeEnrollmentApproveCommand() {
  return std::make_unique<EnrollmentApproveCommand>();
}

}  // namespace xiaoan::admin
