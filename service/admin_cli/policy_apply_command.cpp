#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "common/proto_json.h"
#include "common/text/tr.h"
#include "platform/file_util.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/policy_args.h"

namespace xiaoan::admin {
namespace {

using Issues = std::vector<policy::FieldIssue>;

// A layer file (what `policy get` prints) has these keys; anything else is a bare policy.
bool looksLikeLayer(const std::string& text) {
  google::protobuf::Value root;
  if (!google::protobuf::util::JsonStringToMessage(text, &root).ok() ||
      root.kind_case() != google::protobuf::Value::kStructValue) {
    return false;
  }
  for (const char* key : {"policy", "scope", "id", "revision", "updated_at", "updated_by"}) {
    if (root.struct_value().fields().contains(key)) return true;
  }
  return false;
}

// The policy in `text`, checked strictly and for the layer's scope. Issues are named relative
// to the policy in both file forms.
std::optional<v1::Policy> policyOf(const std::string& text, const LayerRef& layer, Issues& issues) {
  v1::PolicyLayer file;
  if (!looksLikeLayer(text)) {
    if (!policy::strictJsonToMessage(text, file.mutable_policy(), &issues).isOk()) return {};
  } else if (!policy::strictJsonToMessage(text, &file, &issues).isOk()) {
    for (auto& i : issues) {
      if (i.field.rfind("policy.", 0) == 0) i.field.erase(0, 7);
    }
    return {};
  }
  if ((file.scope() != v1::POLICY_SCOPE_UNSPECIFIED && file.scope() != layer.proto_scope) ||
      (!file.id().empty() && file.id() != layer.id)) {
    issues.push_back({"", "the file is the layer " + file.id() + ", not " + layer.id});
    return {};
  }
  issues = policy::validateLayer(layer.proto_scope, file.policy());
  if (!issues.empty()) return {};
  return std::move(*file.mutable_policy());
}

// `policy apply <layer> FILE`: replaces a layer with the policy in a JSON file (a layer as
// printed by `policy get`, or just the policy).
class PolicyApplyCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"policy", "apply"},
        "--school S | --room S/R | --terminal T FILE",
        "用 JSON 文件替换一层策略（policy get 的输出或只含策略）",
        "replace one policy layer with a JSON file (as printed by policy get, or just the "
        "policy)",
        layerOptions(),
        1,
        1};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    auto layer = layerFromArgs(ctx, args, code);
    if (!layer) return code;
    const std::string& file = args.positionals[0];
    auto text = readFile(file, policy::kMaxPolicyJsonBytes);
    if (!text.isOk()) {
      printError(ctx, text.status());
      return text.status().code() == ErrorCode::kTooLarge ? kExitUsage : kExitFailure;
    }
    if (Status deep = checkJsonDepth(*text); !deep.isOk()) {  // before any parser sees it
      printError(ctx, deep);
      return kExitUsage;
    }
    Issues issues;
    auto parsed = policyOf(*text, *layer, issues);
    if (!parsed) return reportFieldIssues(ctx, issues);
    v1::PolicyLayer body;
    *body.mutable_policy() = std::move(*parsed);
    auto stored = ctx.api->putPolicyLayer(layer->scope, layer->id, body);
    if (!stored.isOk()) {
      return reportPutFailure(ctx, stored.status(), ctx.api->lastFieldErrors());
    }
    if (ctx.json) return printJson(ctx, *stored);
    ctx.out() << tr(ctx.lang, "已用 " + file + " 替换" + layerName(ctx, *layer) + " 的策略（修订 ",
                    "replaced the policy of " + layerName(ctx, *layer) + " with " + file +
                        " (revision ")
              << stored->revision()
              << tr(ctx.lang, "）。终端在下次签到时收到新策略。\n",
                    "); terminals get it at their next check-in.\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makePolicyApplyCommand() {
  return std::make_unique<PolicyApplyCommand>();
}

}  // namespace xiaoan::admin
