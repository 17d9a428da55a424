#include "common/text/text_table.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `token list [--school S]`: GET /api/v1/tokens.
class TokenListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"token", "list"},
        "[--school S]",
        "列出注册令牌（不含密钥）",
        "list enrollment tokens (without secrets)",
        {{"school", true, "S", "只列出该学校", "only this school"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* school = args.value("school");
    auto list = ctx.api->listTokens(school ? *school : "");
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "令牌 ID", "token id"), tr(ctx.lang, "学校", "school"),
                     tr(ctx.lang, "已用/上限", "uses"), tr(ctx.lang, "有效期至", "expires"),
                     tr(ctx.lang, "状态", "state"), tr(ctx.lang, "备注", "note"),
                     tr(ctx.lang, "创建时间", "created")});
    for (const auto& t : list->tokens()) {
      const std::string limit =
          t.max_uses() == 0 ? tr(ctx.lang, "不限", "unlimited") : std::to_string(t.max_uses());
      table.addRow(
          {t.id(), t.school_id(), std::to_string(t.uses()) + "/" + limit,
           t.has_expires_at() ? tableTime(t.expires_at(), true) : tr(ctx.lang, "永不", "never"),
           state(ctx, t), t.note(), tableTime(t.created_at(), t.has_created_at())});
    }
    const auto n = std::to_string(list->tokens_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 个令牌\n", n + " tokens\n");
    return kExitOk;
  }

 private:
  static std::string state(const AdminContext& ctx, const v1::EnrollmentToken& t) {
    if (t.revoked()) return tr(ctx.lang, "已撤销", "revoked");
    if (t.has_expires_at() && t.expires_at().seconds() <= ctx.nowSeconds()) {
      return tr(ctx.lang, "已过期", "expired");
    }
    if (t.max_uses() != 0 && t.uses() >= t.max_uses()) return tr(ctx.lang, "已用完", "used up");
    return tr(ctx.lang, "有效", "active");
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeTokenListCommand() {
  return std::make_unique<TokenListCommand>();
}

}  // namespace xiaoan::admin
