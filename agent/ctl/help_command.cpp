#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "agent/ctl/help_text.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

// `xiaoanctl help [command]`.
class HelpCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"help"},
                                   "[<command>]",
                                   "显示帮助（命令列表、选项、退出码）",
                                   "show help (commands, options, exit codes)",
                                   {},
                                   2,
                                   /*needs_root=*/false,
                                   /*needs_agent=*/false};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& args) override {
    if (args.positionals.empty()) {
      ctx.out() << renderUsage(ctx.table, ctx.lang);
      return kExitHealthy;
    }
    size_t words = 0;
    const Command* topic = ctx.table.find(args.positionals, &words);
    if (topic == nullptr || words != args.positionals.size()) {
      printError(ctx, Status(ErrorCode::kInvalidArgument,
                             tr(ctx.lang, "没有这个命令：", "no such command: ") +
                                 args.positionals.front()));
      return kExitUsage;
    }
    ctx.out() << renderCommandHelp(*topic, ctx.lang);
    return kExitHealthy;
  }
};

}  // namespace

std::unique_ptr<Command> makeHelpCommand() { return std::make_unique<HelpCommand>(); }

}  // namespace xiaoan::ctl
