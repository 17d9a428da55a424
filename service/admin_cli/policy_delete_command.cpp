#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/policy_args.h"

namespace xiaoan::admin {
namespace {

// `policy delete <layer>`: removes a layer; its terminals inherit from the wider layers again.
class PolicyDeleteCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"policy", "delete"},
                                        "--school S | --room S/R | --terminal T",
                                        "删除一层策略（其终端改为继承上级）",
                                        "delete one policy layer (its terminals inherit again)",
                                        layerOptions()};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    auto layer = layerFromArgs(ctx, args, code);
    if (!layer) return code;
    auto deleted = ctx.api->deletePolicyLayer(layer->scope, layer->id);
    if (!deleted.isOk()) return reportApiFailure(ctx, deleted.status());
    if (ctx.json) return printJson(ctx, *deleted);
    ctx.out() << tr(ctx.lang, "已删除" + layerName(ctx, *layer) + " 的策略。\n",
                    "deleted the policy of " + layerName(ctx, *layer) + ".\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makePolicyDeleteCommand() {
  return std::make_unique<PolicyDeleteCommand>();
}

}  // namespace xiaoan::admin
