#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `school reenroll-policy SCHOOL auto|approve`: POST /api/v1/schools/<id>/reenroll-policy.
class SchoolReenrollPolicyCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"school", "reenroll-policy"},
        "SCHOOL auto|approve",
        "已登记终端重新注册时：auto 直接接受（还原卡机房），approve 需管理员批准；都会记录安全事件",
        "when a known PC enrolls again: auto accepts it (restore-card labs), approve holds it for "
        "an admin; both record a security event",
        {},
        2,
        2};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string& school = args.positionals[0];
    const std::string& mode = args.positionals[1];
    if (mode != "auto" && mode != "approve") {
      return reportUsage(
          ctx, tr(ctx.lang, "策略应为 auto 或 approve", "the policy must be auto or approve"));
    }
    auto set = ctx.api->setReenrollPolicy(
        school, mode == "auto" ? v1::REENROLL_POLICY_AUTO : v1::REENROLL_POLICY_APPROVE);
    if (!set.isOk()) return reportApiFailure(ctx, set.status());
    if (ctx.json) return printJson(ctx, *set);
    const std::string s = sanitizeForTerminal(school);
    ctx.out() << (mode == "auto"
                      ? tr(ctx.lang,
                           "学校 " + s + "：已登记终端重新注册时直接接受（记录安全事件）\n",
                           "school " + s +
                               ": known PCs that enroll again are accepted (security "
                               "event recorded)\n")
                      : tr(ctx.lang,
                           "学校 " + s +
                               "：已登记终端重新注册需管理员批准（xiaoan-admin "
                               "enrollment approve）\n",
                           "school " + s +
                               ": known PCs that enroll again wait for approval "
                               "(xiaoan-admin enrollment approve)\n"));
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSchoolReenrollPolicyCommand() {
  return std::make_unique<SchoolReenrollPolicyCommand>();
}

}  // namespace xiaoan::admin
