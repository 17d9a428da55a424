#include "common/proto_json.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/policy_args.h"

namespace xiaoan::admin {
namespace {

// `policy get --school S | --room S/R | --terminal T [--effective]`: prints the layer as JSON
// (what `policy apply` takes back), or with --effective the merged policy a terminal's agent
// gets (EffectivePolicy).
class PolicyGetCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec = [] {
      AdminCommandSpec s{{"policy", "get"},
                         "--school S | --room S/R | --terminal T [--effective]",
                         "显示一层策略（JSON），或终端合并后的生效策略",
                         "print one policy layer (JSON), or a terminal's merged effective policy",
                         layerOptions()};
      s.options.push_back({"effective", false, "", "显示终端合并后的生效策略（需 --terminal）",
                           "print the terminal's merged effective policy (needs --terminal)"});
      return s;
    }();
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    auto layer = layerFromArgs(ctx, args, code);
    if (!layer) return code;
    if (args.flag("effective")) return effective(ctx, *layer);
    auto got = ctx.api->getPolicyLayer(layer->scope, layer->id);
    if (got.isOk()) return printJson(ctx, *got);
    if (got.status().code() != ErrorCode::kNotFound) return reportApiFailure(ctx, got.status());
    // No layer: everything is inherited. Print the empty layer so it can be edited and applied.
    ctx.err() << tr(ctx.lang, "（" + layerName(ctx, *layer) + " 尚无策略，全部继承上级）\n",
                    "(" + layerName(ctx, *layer) + " has no policy yet; all inherited)\n");
    v1::PolicyLayer empty;
    empty.set_scope(layer->proto_scope);
    empty.set_id(layer->id);
    empty.mutable_policy();
    return printJson(ctx, empty);
  }

 private:
  static int effective(AdminContext& ctx, const LayerRef& layer) {
    if (layer.scope != "terminal") {
      return reportUsage(
          ctx, tr(ctx.lang, "--effective 需要 --terminal T", "--effective needs --terminal T"));
    }
    auto got = ctx.api->effectivePolicy(layer.id);
    if (!got.isOk()) return reportApiFailure(ctx, got.status());
    return printJson(ctx, *got);
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makePolicyGetCommand() {
  return std::make_unique<PolicyGetCommand>();
}

}  // namespace xiaoan::admin
