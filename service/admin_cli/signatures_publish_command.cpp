#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "signatures/bundle.h"

namespace xiaoan::admin {
namespace {

// "file:line: message" per compiler error, as compilers print them (editors jump to them).
int reportRuleErrors(const AdminContext& ctx, const std::vector<v1::RuleDiagnostic>& errors) {
  ctx.err() << errorCodeName(ErrorCode::kRulesInvalid) << ": "
            << tr(ctx.lang, "规则无法编译，整个特征库被拒绝，未发布任何内容：",
                  "rules do not compile; the whole bundle was rejected, nothing published:")
            << "\n";
  for (const auto& e : errors) {
    ctx.err() << sanitizeForTerminal(e.file().empty() ? "(bundle)" : e.file()) << ":" << e.line()
              << ": " << sanitizeForTerminal(e.message()) << "\n";
  }
  return kExitUsage;
}

// A directory that cannot be read as a bundle (missing, no rule files, a symlink, too large) is
// the caller's input (2), unless the disk failed.
int reportDirectory(const AdminContext& ctx, const Status& status) {
  printError(ctx, status);
  return status.code() == ErrorCode::kIo ? kExitFailure : kExitUsage;
}

// `signatures publish DIR [--description TEXT]`: POST /api/v1/signatures with every *.yar and
// *.yara file under DIR; the collector compiles them and publishes a new bundle version.
class SignaturesPublishCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"signatures", "publish"},
        "DIR [--description TEXT]",
        "发布 DIR 下全部 .yar/.yara 规则为新特征库版本（任一规则无法编译则整体拒绝，退出码 2）",
        "publish every .yar/.yara rule under DIR as a new signature bundle version (any rule "
        "that does not compile rejects the whole bundle, exit code 2)",
        {{"description", true, "TEXT", "版本说明", "description of this version"}},
        1,
        1};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string& dir = args.positionals[0];
    auto bundle = sig::bundleFromDirectory(dir);
    if (!bundle.isOk()) return reportDirectory(ctx, bundle.status());
    v1::PublishSignaturesRequest request;
    request.mutable_files()->Swap(bundle->mutable_files());
    if (const std::string* text = args.value("description")) request.set_description(*text);
    auto info = ctx.api->publishSignatures(request);
    if (!info.isOk()) {
      if (info.status().code() == ErrorCode::kRulesInvalid) {
        return reportRuleErrors(ctx, ctx.api->lastRuleErrors());
      }
      return reportApiFailure(ctx, info.status());
    }
    if (ctx.json) return printJson(ctx, *info);
    printPublished(ctx, *info);
    return kExitOk;
  }

 private:
  static void printPublished(const AdminContext& ctx, const v1::SignatureBundleInfo& info) {
    const auto version = std::to_string(info.version());
    const auto rules = std::to_string(info.rule_count());
    const auto files = std::to_string(info.file_count());
    const auto size = std::to_string(info.size());
    ctx.out() << tr(ctx.lang,
                    "已发布特征库版本 " + version + "：" + rules + " 条规则，" + files +
                        " 个文件，" + size + " 字节。终端在下次签到时获取。\n",
                    "published signature bundle version " + version + ": " + rules + " rules, " +
                        files + " files, " + size +
                        " bytes; terminals get it at their next check-in.\n");
    if (info.warnings_size() == 0) return;
    const auto n = std::to_string(info.warnings_size());
    ctx.out() << tr(ctx.lang, n + " 条编译警告：\n", n + " compiler warnings:\n");
    constexpr int kShown = 20;
    for (int i = 0; i < info.warnings_size() && i < kShown; ++i) {
      const auto& w = info.warnings(i);
      ctx.out() << "  " << w.file() << ":" << w.line() << ": " << w.message() << "\n";
    }
    if (info.warnings_size() > kShown) {
      ctx.out() << tr(ctx.lang, "  ……其余见 --json\n", "  ... the rest with --json\n");
    }
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSignaturesPublishCommand() {
  return std::make_unique<SignaturesPublishCommand>();
}

}  // namespace xiaoan::admin
