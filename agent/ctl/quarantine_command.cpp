#include <filesystem>

#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "agent/ctl/scan_text.h"
#include "agent/ctl/text_format.h"
#include "common/text/text_width.h"
#include "common/text/time_format.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

// Decrypting a large file back takes longer than a status answer.
constexpr int kRestoreTimeoutFactor = 6;

// `xiaoanctl quarantine list`: the encrypted quarantine of this PC, oldest first.
class QuarantineListCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"quarantine", "list"},
                                   "[--json]",
                                   "列出隔离区中的文件（需要 root）",
                                   "list the files in quarantine (root only)",
                                   {},
                                   0,
                                   /*needs_root=*/true,
                                   /*needs_agent=*/true};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& /*args*/) override {
    v1::ControlRequest request;
    request.mutable_quarantine_list();
    int exit_code = kExitHealthy;
    auto answer = askDaemon(ctx, request, ctx.io.daemon_timeout, &exit_code);
    if (!answer) return exit_code;
    if (ctx.json) return printJson(ctx, answer->quarantine());
    const auto& entries = answer->quarantine().entries();
    if (entries.empty()) {
      ctx.out() << tr(ctx.lang, "隔离区为空\n", "the quarantine is empty\n");
      return kExitHealthy;
    }
    const int64_t now = std::chrono::system_clock::to_time_t(ctx.io.clock->now());
    for (const auto& e : entries) {
      ctx.out() << e.id() << "  " << sanitizeForTerminal(e.path()) << "\n    "
                << tr(ctx.lang, "隔离于 ", "quarantined ")
                << formatTimeWithAge(e.quarantined_at().seconds(), now, ctx.lang)
                << tr(ctx.lang, "，", ", ") << formatBytes(e.size())
                << tr(ctx.lang, "，规则：", ", rules: ") << ruleList(e.matches()) << "\n";
    }
    return kExitHealthy;
  }
};

// Restore and delete share everything but the action and the words.
class QuarantineActionCommand final : public Command {
 public:
  explicit QuarantineActionCommand(bool restore) : restore_(restore) {}

  const CommandSpec& spec() const override {
    static const CommandSpec kRestore{
        {"quarantine", "restore"},
        "ID [--to PATH] [--json]",
        "把隔离的文件解密恢复到原位置或 --to 指定的位置（不覆盖已有文件；需要 root）",
        "decrypt a quarantined file back to where it was, or to --to PATH (never over an "
        "existing file; root only)",
        {{"to", true, "PATH", "恢复到此路径而不是原路径",
          "restore here instead of the original path"}},
        1,
        /*needs_root=*/true,
        /*needs_agent=*/true};
    static const CommandSpec kDelete{{"quarantine", "delete"},
                                     "ID [--json]",
                                     "永久删除隔离的文件（需要 root）",
                                     "delete a quarantined file for good (root only)",
                                     {},
                                     1,
                                     /*needs_root=*/true,
                                     /*needs_agent=*/true};
    return restore_ ? kRestore : kDelete;
  }

  int run(CtlContext& ctx, const ParsedArgs& args) override {
    if (args.positionals.size() != 1) {
      printError(ctx, Status(ErrorCode::kInvalidArgument,
                             tr(ctx.lang, "请给出隔离条目 ID（见 xiaoanctl quarantine list）",
                                "name the entry id (see xiaoanctl quarantine list)")));
      return kExitUsage;
    }
    v1::ControlRequest request;
    auto* action = request.mutable_quarantine_action();
    action->set_kind(restore_ ? v1::QuarantineActionRequest::KIND_RESTORE
                              : v1::QuarantineActionRequest::KIND_DELETE);
    action->set_id(args.positionals[0]);
    if (const std::string* to = args.value("to")) {
      std::error_code ec;
      const auto absolute = std::filesystem::absolute(*to, ec);
      action->set_restore_to(ec ? *to : absolute.string());
    }
    int exit_code = kExitHealthy;
    auto answer =
        askDaemon(ctx, request, ctx.io.daemon_timeout * kRestoreTimeoutFactor, &exit_code);
    if (!answer) return exit_code;
    const auto& e = answer->quarantine_entry();
    if (ctx.json) return printJson(ctx, e);
    const std::string where =
        sanitizeForTerminal(action->restore_to().empty() ? e.path() : action->restore_to());
    ctx.out() << (restore_
                      ? tr(ctx.lang, "已恢复 " + e.id() + " 到 " + where + "\n",
                           "restored " + e.id() + " to " + where + "\n")
                      : tr(ctx.lang,
                           "已永久删除 " + e.id() + "（" + sanitizeForTerminal(e.path()) + "）\n",
                           "deleted " + e.id() + " (" + sanitizeForTerminal(e.path()) +
                               ") for good\n"));
    return kExitHealthy;
  }

 private:
  bool restore_;
};

}  // namespace

std::unique_ptr<Command> makeQuarantineListCommand() {
  return std::make_unique<QuarantineListCommand>();
}
std::unique_ptr<Command> makeQuarantineRestoreCommand() {
  return std::make_unique<QuarantineActionCommand>(true);
}
std::unique_ptr<Command> makeQuarantineDeleteCommand() {
  return std::make_unique<QuarantineActionCommand>(false);
}

}  // namespace xiaoan::ctl
