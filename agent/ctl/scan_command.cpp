#include <filesystem>
#include <thread>
#include <utility>

#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "agent/ctl/scan_text.h"
#include "common/text/tr.h"
#include "platform/process.h"

namespace xiaoan::ctl {
namespace {

constexpr size_t kMaxPaths = 64;  // control.proto StartScanRequest

// `xiaoanctl scan PATH...`: an on-demand scan through the agent, at full speed. The agent
// scans (it has the rules, the result cache and the quarantine); we poll its progress, draw
// one updating line on a terminal, and print the summary. Exit 0 clean, 1 detections, 5 when
// the scan failed or was stopped.
class ScanCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"scan"},
                                   "PATH... [--json]",
                                   "立即扫描文件或目录（全速；需要 root；退出码 1 表示检出病毒）",
                                   "scan files or directories now, at full speed (root only; "
                                   "exit code 1: something was detected)",
                                   {},
                                   kMaxPaths,
                                   /*needs_root=*/true,
                                   /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& args) override {
    if (args.positionals.empty()) {
      printError(ctx, Status(ErrorCode::kInvalidArgument,
                             tr(ctx.lang, "请给出要扫描的路径：xiaoanctl scan PATH...",
                                "name what to scan: xiaoanctl scan PATH...")));
      return kExitUsage;
    }
    v1::ControlRequest start;
    for (const auto& p : args.positionals) {
      // The agent has another working directory; symlinks are left for it to judge.
      std::error_code ec;
      const auto absolute = std::filesystem::absolute(p, ec);
      start.mutable_start_scan()->add_paths(ec ? p : absolute.string());
    }
    int exit_code = kExitHealthy;
    // Ctrl-C (or SIGTERM) while the scan runs asks the agent to cancel it: a full-speed scan
    // left running after Ctrl-C could only be stopped by restarting the agent.
    const InterruptWatch interrupts;
    auto answer = askDaemon(ctx, start, ctx.io.daemon_timeout, &exit_code);
    if (!answer) return exit_code;
    if (!answer->has_scan() || answer->scan().scan_id().empty()) {
      printError(ctx, Status(ErrorCode::kProtocol, "agent answered without a scan id"));
      return kExitFailure;
    }
    auto final_progress = follow(ctx, answer->scan().scan_id(), interrupts, &exit_code);
    if (!final_progress) return exit_code;
    return show(ctx, *final_progress);
  }

 private:
  // Polls until the scan has a summary; draws the progress line on a terminal. Interrupted,
  // asks the agent to cancel the scan once and waits for its (cancelled) summary.
  static std::optional<v1::ScanProgress> follow(CtlContext& ctx, const std::string& id,
                                                const InterruptWatch& interrupts, int* exit_code) {
    const bool draw = ctx.io.out_is_tty && !ctx.json;
    v1::ControlRequest get, cancel;
    get.mutable_get_scan()->set_scan_id(id);
    cancel.mutable_cancel_scan()->set_scan_id(id);
    bool cancel_sent = false;
    for (;;) {
      std::this_thread::sleep_for(ctx.io.poll_interval);
      const bool cancelling = interrupts.interrupted() && !std::exchange(cancel_sent, true);
      auto answer = askDaemon(ctx, cancelling ? cancel : get, ctx.io.daemon_timeout, exit_code);
      if (!answer) {
        if (draw) ctx.out() << "\n";
        return std::nullopt;
      }
      const v1::ScanProgress& p = answer->scan();
      if (p.has_summary()) {
        if (draw) ctx.out() << "\r\033[K" << std::flush;
        return p;
      }
      if (draw) ctx.out() << "\r" << scanProgressLine(p, ctx.lang) << "\033[K" << std::flush;
    }
  }

  static int show(CtlContext& ctx, const v1::ScanProgress& p) {
    const auto outcome = p.summary().outcome();
    const int code = outcome != v1::ScanSummaryEvent::OUTCOME_COMPLETED ? kExitFailure
                     : p.summary().detections() > 0                     ? kExitDegraded
                                                                        : kExitHealthy;
    if (ctx.json) {
      const int printed = printJson(ctx, p);
      return printed != kExitHealthy ? printed : code;
    }
    ctx.out() << scanSummaryText(p, ctx.lang);
    return code;
  }
};

}  // namespace

std::unique_ptr<Command> makeScanCommand() { return std::make_unique<ScanCommand>(); }

}  // namespace xiaoan::ctl
