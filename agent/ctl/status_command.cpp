#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "agent/ctl/status_health.h"
#include "agent/ctl/status_source.h"
#include "agent/ctl/status_text_renderer.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

// `xiaoanctl status`: the daemon's status, or the last persisted one when it is not running.
class StatusCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{
        {"status"},
        "[--json]",
        "显示代理状态（任何用户可用；代理未运行时显示最后保存的状态）",
        "show the agent status (any user; the last saved state when the agent is not running)",
        {},
        0,
        /*needs_root=*/false,
        /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& /*args*/) override {
    auto lookup = lookupStatus(ctx.socket_path, ctx.state_dir, ctx.io.daemon_timeout);
    if (!lookup.isOk()) {
      printError(ctx, lookup.status());
      return exitCodeFor(lookup.status());
    }
    if (!lookup->status) return reportNothing(ctx, *lookup);
    // Not running is the headline; a daemon that hangs deserves a word on stderr.
    if (lookup->daemon_problem.code() == ErrorCode::kTimeout)
      printError(ctx, lookup->daemon_problem);
    return show(ctx, *lookup->status);
  }

 private:
  static int show(CtlContext& ctx, const v1::AgentStatus& status) {
    if (ctx.json) {
      if (printJson(ctx, status) != kExitHealthy) return kExitFailure;
    } else {
      const auto now = std::chrono::system_clock::to_time_t(ctx.io.clock->now());
      ctx.out() << renderStatusText(status, {ctx.lang, static_cast<int64_t>(now)});
    }
    return exitCodeFor(assess(status));
  }

  // Neither the daemon nor a persisted status: say so, with why the file is missing.
  static int reportNothing(CtlContext& ctx, const StatusLookup& lookup) {
    const Status& why = lookup.persisted_problem;
    const std::string detail = std::string(errorCodeName(why.code())) + ": " +
                               std::string(errorCodeLine(why.code(), ctx.lang)) + " (" +
                               sanitizeForTerminal(why.message()) + ")";
    const std::string text =
        tr(ctx.lang, "代理服务未运行，也没有找到已保存的状态（" + lookup.persisted_path + "）",
           "agent is not running and no saved state was found (" + lookup.persisted_path + ")");
    if (ctx.json) {
      printError(ctx, Status(ErrorCode::kDaemonNotRunning,
                             tr(ctx.lang, "也没有已保存的状态：", "no saved state either: ") +
                                 why.toString()));
    } else {
      ctx.out() << text << "\n  " << detail << "\n";
    }
    return kExitDaemonNotRunning;
  }
};

}  // namespace

std::unique_ptr<Command> makeStatusCommand() { return std::make_unique<StatusCommand>(); }

}  // namespace xiaoan::ctl
