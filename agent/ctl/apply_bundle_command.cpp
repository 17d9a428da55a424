#include <filesystem>

#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

// Reading and verifying a bundle of up to 64 MiB takes longer than a status answer.
constexpr int kBundleTimeoutFactor = 6;

// `xiaoanctl apply-bundle FILE`: terminals without a network take signed content from a file
// (USB stick). The daemon reads the file and runs the same verification as for the collector,
// with expiry waived (and logged); signatures, hashes and versions still hold.
class ApplyBundleCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"apply-bundle"},
                                   "FILE [--json]",
                                   "应用离线更新包（签名策略等，用于无网络的终端；需要 root）",
                                   "apply an offline bundle of signed content (terminals without "
                                   "a network; root only)",
                                   {},
                                   1,
                                   /*needs_root=*/true,
                                   /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& args) override {
    if (args.positionals.size() != 1 || args.positionals[0].empty()) {
      printError(ctx, Status(ErrorCode::kInvalidArgument,
                             tr(ctx.lang, "请给出离线包文件：xiaoanctl apply-bundle FILE",
                                "name the bundle file: xiaoanctl apply-bundle FILE")));
      return kExitUsage;
    }
    // The daemon has another working directory: it gets an absolute path.
    std::error_code ec;
    const auto path = std::filesystem::absolute(args.positionals[0], ec);
    v1::ControlRequest request;
    request.mutable_apply_bundle()->set_path(ec ? args.positionals[0] : path.string());
    int exit_code = kExitHealthy;
    auto answer = askDaemon(ctx, request, ctx.io.daemon_timeout * kBundleTimeoutFactor, &exit_code);
    if (!answer) return exit_code;
    if (!answer->has_apply_bundle()) {
      printError(ctx, Status(ErrorCode::kProtocol, "agent answered without apply_bundle"));
      return kExitFailure;
    }
    return show(ctx, answer->apply_bundle());
  }

 private:
  static int show(CtlContext& ctx, const v1::ApplyBundleResponse& r) {
    if (ctx.json) return printJson(ctx, r);
    const std::string root = std::to_string(r.root_version());
    const std::string policy = std::to_string(r.policy_version());
    ctx.out()
        << (r.changed()
                ? tr(ctx.lang, "已应用离线包：根元数据 v" + root + "，策略 v" + policy + "\n",
                     "bundle applied: root v" + root + ", policy v" + policy + "\n")
                : tr(ctx.lang,
                     "离线包中没有更新的内容（根元数据 v" + root + "，策略 v" + policy + "）\n",
                     "nothing newer in the bundle (root v" + root + ", policy v" + policy + ")\n"));
    if (r.waived_size() > 0) {
      ctx.out() << tr(ctx.lang, "离线应用时放宽的时效检查：\n",
                      "freshness checks waived for offline use:\n");
      for (const auto& w : r.waived()) ctx.out() << "  " << sanitizeForTerminal(w) << "\n";
    }
    return kExitHealthy;
  }
};

}  // namespace

std::unique_ptr<Command> makeApplyBundleCommand() { return std::make_unique<ApplyBundleCommand>(); }

}  // namespace xiaoan::ctl
