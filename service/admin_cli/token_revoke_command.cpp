#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `token revoke ID`: POST /api/v1/tokens/<id>/revoke.
class TokenRevokeCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"token", "revoke"},
                                        "ID",
                                        "撤销注册令牌（已注册的终端不受影响）",
                                        "revoke an enrollment token (enrolled agents keep working)",
                                        {},
                                        1,
                                        1};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string& id = args.positionals.at(0);
    if (id.empty()) return reportUsage(ctx, tr(ctx.lang, "令牌 ID 为空", "empty token id"));
    auto token = ctx.api->revokeToken(id);
    if (!token.isOk()) return reportApiFailure(ctx, token.status());
    if (ctx.json) return printJson(ctx, *token);
    const std::string tid = sanitizeForTerminal(token->id());
    const std::string school = sanitizeForTerminal(token->school_id());
    const std::string uses = std::to_string(token->uses());
    ctx.out() << tr(ctx.lang,
                    "已撤销令牌 " + tid + "（学校 " + school + "，已使用 " + uses + " 次）\n",
                    "revoked token " + tid + " (school " + school + ", used " + uses + " times)\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeTokenRevokeCommand() {
  return std::make_unique<TokenRevokeCommand>();
}

}  // namespace xiaoan::admin
