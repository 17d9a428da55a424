#include "agent/ctl/binding_text.h"
#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "common/text/tr.h"
#include "platform/isolation.h"

namespace xiaoan::ctl {
namespace {

// A check runs the network snapshot and, per mode, a restore through the network manager.
constexpr int kCheckTimeoutFactor = 6;

// The compliance answer as text: the state line, then every violation on a line of its own.
// Exit 0 when compliant or binding is off, 1 when in violation or isolated.
int printCompliance(CtlContext& ctx, const v1::ComplianceStatus& c) {
  const bool bad =
      c.state() == v1::COMPLIANCE_STATE_VIOLATION || c.state() == v1::COMPLIANCE_STATE_ISOLATED;
  if (ctx.json) {
    const int printed = printJson(ctx, c);
    return printed != kExitHealthy ? printed : (bad ? kExitDegraded : kExitHealthy);
  }
  ctx.out() << tr(ctx.lang, "网络绑定：", "binding: ") << complianceLine(c, ctx.lang) << "\n";
  for (const auto& v : c.violations()) ctx.out() << "  - " << violationText(v, ctx.lang) << "\n";
  return bad ? kExitDegraded : kExitHealthy;
}

// `xiaoanctl binding check`: the daemon checks the network now and says what it found.
class BindingCheckCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"binding", "check"},
                                   "[--json]",
                                   "立即检查 IP/MAC 绑定并显示结果（按策略模式恢复或隔离）",
                                   "check the IP/MAC binding now and show what was found (the "
                                   "policy's mode restores or isolates)",
                                   {},
                                   0,
                                   /*needs_root=*/false,
                                   /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& /*args*/) override {
    v1::ControlRequest request;
    request.mutable_binding_check();
    int exit_code = kExitHealthy;
    auto answer = askDaemon(ctx, request, ctx.io.daemon_timeout * kCheckTimeoutFactor, &exit_code);
    if (!answer) return exit_code;
    return printCompliance(ctx, answer->compliance());
  }
};

// `xiaoanctl isolation release`: through the daemon; when it is not running, removes the
// isolation table itself so that a PC is never left cut off.
class IsolationReleaseCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{
        {"isolation", "release"},
        "[--json]",
        "解除网络隔离（需要 root；代理未运行时直接删除隔离规则）",
        "remove the network isolation (root only; removes the rules itself when the agent is "
        "not running)",
        {},
        0,
        /*needs_root=*/true,
        /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& /*args*/) override {
    v1::ControlRequest request;
    request.mutable_isolation_release();
    int exit_code = kExitHealthy;
    auto answer = askDaemon(ctx, request, ctx.io.daemon_timeout * kCheckTimeoutFactor, &exit_code);
    if (answer) {
      if (!ctx.json) ctx.out() << tr(ctx.lang, "已解除网络隔离\n", "network isolation removed\n");
      return printCompliance(ctx, answer->compliance()) == kExitFailure ? kExitFailure
                                                                        : kExitHealthy;
    }
    if (exit_code != kExitDaemonNotRunning) return exit_code;
    Status st = makeIsolation()->leave();
    if (!st.isOk()) {
      printError(ctx, st);
      return exitCodeFor(st);
    }
    if (ctx.json) {
      v1::ComplianceStatus none;  // nothing known without the agent; isolated=false says it all
      return printJson(ctx, none);
    }
    ctx.out() << tr(ctx.lang, "代理未运行：已直接删除网络隔离规则\n",
                    "agent not running: network isolation rules removed directly\n");
    return kExitHealthy;
  }
};

}  // namespace

std::unique_ptr<Command> makeBindingCheckCommand() {
  return std::make_unique<BindingCheckCommand>();
}
std::unique_ptr<Command> makeIsolationReleaseCommand() {
  return std::make_unique<IsolationReleaseCommand>();
}

}  // namespace xiaoan::ctl
