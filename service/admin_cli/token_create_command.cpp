#include "common/cli/cli_args.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/time_args.h"

namespace xiaoan::admin {
namespace {

constexpr uint64_t kMaxUses = 100'000;  // the collector refuses more

// `token create --school S [--ttl D] [--max-uses N] [--note T]`: POST /api/v1/tokens. The
// secret is shown once, so it is printed on a line of its own where it cannot be missed.
class TokenCreateCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"token", "create"},
        "--school S [--ttl 30d|12h|3600] [--max-uses N] [--note T]",
        "创建学校的注册令牌（令牌只显示这一次）",
        "create an enrollment token for a school (the token is shown only once)",
        {{"school", true, "S", "学校 ID", "school id"},
         {"ttl", true, "D", "有效期：30d、12h、90m 或秒数（默认不过期）",
          "lifetime: 30d, 12h, 90m or seconds (default: no expiry)"},
         {"max-uses", true, "N",
          "可重复使用，最多注册 N 台（默认 1 台；批量安装时填机房或学校的台数）",
          "reusable for at most N enrollments (default 1 PC; for a lab or school give its PC "
          "count)"},
         {"note", true, "T", "备注，例如 机房2 重装", "note, e.g. lab 2 re-image"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    v1::CreateTokenRequest request;
    if (int code = fill(ctx, args, &request); code != kExitOk) return code;
    auto token = ctx.api->createToken(request);
    if (!token.isOk()) return reportApiFailure(ctx, token.status());
    if (ctx.json) return printJson(ctx, *token);
    show(ctx, *token);
    return kExitOk;
  }

 private:
  static int fill(AdminContext& ctx, const ParsedArgs& args, v1::CreateTokenRequest* r) {
    const std::string* school = args.value("school");
    if (school == nullptr || school->empty()) {
      return reportUsage(ctx, tr(ctx.lang, "需要 --school", "--school is required"));
    }
    r->set_school_id(*school);
    if (const std::string* ttl = args.value("ttl")) {
      auto seconds = parseDurationSeconds(*ttl);
      if (!seconds) {
        return reportUsage(ctx, tr(ctx.lang, "--ttl 应为 30d、12h、90m、45s 或秒数（最长 3650d）",
                                   "--ttl must be like 30d, 12h, 90m, 45s or seconds (max 3650d)"));
      }
      r->set_ttl_seconds(*seconds);
    }
    if (const std::string* uses = args.value("max-uses")) {
      auto n = parseUint(*uses, 1, kMaxUses);
      if (!n)
        return reportUsage(ctx, tr(ctx.lang, "--max-uses 应为 1 到 100000 的整数",
                                   "--max-uses must be a number from 1 to 100000"));
      r->set_max_uses(static_cast<uint32_t>(*n));
    }
    if (const std::string* note = args.value("note")) r->set_note(*note);
    return kExitOk;
  }

  static void show(AdminContext& ctx, const v1::EnrollmentToken& t) {
    const std::string secret = sanitizeForTerminal(t.secret());
    ctx.out() << tr(ctx.lang, "已创建注册令牌。令牌只显示这一次，请立即保存：\n\n",
                    "enrollment token created. It is shown only this once; save it now:\n\n")
              << "    " << secret << "\n\n";
    const std::string expires =
        t.has_expires_at() ? tableTime(t.expires_at(), true) : tr(ctx.lang, "永不过期", "never");
    const std::string uses =
        t.max_uses() == 0 ? tr(ctx.lang, "不限", "unlimited") : std::to_string(t.max_uses());
    const std::vector<std::pair<std::string, std::string>> rows = {
        {tr(ctx.lang, "令牌 ID", "token id"), t.id()},
        {tr(ctx.lang, "学校", "school"), t.school_id()},
        {tr(ctx.lang, "有效期至", "expires"), expires},
        {tr(ctx.lang, "最多使用", "max uses"), uses},
        {tr(ctx.lang, "备注", "note"), t.note().empty() ? "-" : t.note()}};
    size_t width = 0;
    for (const auto& [k, v] : rows) width = std::max(width, displayWidth(k));
    for (const auto& [k, v] : rows) {
      ctx.out() << "  " << padRight(k, width) << " | " << sanitizeForTerminal(v) << "\n";
    }
    ctx.out() << tr(ctx.lang, "\n安装示例：XIAOAN_TOKEN='", "\ninstall example: XIAOAN_TOKEN='")
              << secret << "' dpkg -i xiaoan-agent.deb\n";
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeTokenCreateCommand() {
  return std::make_unique<TokenCreateCommand>();
}

}  // namespace xiaoan::admin
