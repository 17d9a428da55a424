#include "common/policy/policy_edit.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/policy_args.h"

namespace xiaoan::admin {
namespace {

constexpr size_t kMaxAssignments = 64;

// `policy set <layer> FIELD.PATH=VALUE ...`: changes fields of one layer (read, edit, write
// back). An empty VALUE removes the field from the layer, so it is inherited again.
class PolicySetCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"policy", "set"},
        "--school S | --room S/R | --terminal T FIELD.PATH=VALUE ...",
        "修改一层策略的字段，例如 agent.checkin_interval_seconds=300（值为空则改回继承）",
        "change fields of one policy layer, e.g. agent.checkin_interval_seconds=300 (an empty "
        "value inherits again)",
        layerOptions(),
        1,
        kMaxAssignments};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    auto layer = layerFromArgs(ctx, args, code);
    if (!layer) return code;
    v1::PolicyLayer current;
    auto got = ctx.api->getPolicyLayer(layer->scope, layer->id);
    if (got.isOk()) {
      current = std::move(*got);
    } else if (got.status().code() != ErrorCode::kNotFound) {
      return reportApiFailure(ctx, got.status());
    }
    std::vector<policy::FieldIssue> issues;
    for (const auto& assignment : args.positionals) edit(ctx, assignment, current, issues);
    if (issues.empty()) issues = policy::validateLayer(layer->proto_scope, current.policy());
    if (!issues.empty()) return reportFieldIssues(ctx, issues);
    auto stored = ctx.api->putPolicyLayer(layer->scope, layer->id, current);
    if (!stored.isOk()) {
      return reportPutFailure(ctx, stored.status(), ctx.api->lastFieldErrors());
    }
    if (ctx.json) return printJson(ctx, *stored);
    ctx.out() << tr(ctx.lang, "已更新" + layerName(ctx, *layer) + " 的策略（修订 ",
                    "updated the policy of " + layerName(ctx, *layer) + " (revision ")
              << stored->revision()
              << tr(ctx.lang, "）。终端在下次签到时收到新策略。\n",
                    "); terminals get it at their next check-in.\n");
    return kExitOk;
  }

 private:
  static void edit(const AdminContext& ctx, const std::string& assignment, v1::PolicyLayer& layer,
                   std::vector<policy::FieldIssue>& issues) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      issues.push_back({assignment, tr(ctx.lang, "应为 字段路径=值", "must be FIELD.PATH=VALUE")});
      return;
    }
    (void)policy::setPolicyField(*layer.mutable_policy(), assignment.substr(0, eq),
                                 assignment.substr(eq + 1), &issues);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makePolicySetCommand() {
  return std::make_unique<PolicySetCommand>();
}

}  // namespace xiaoan::admin
