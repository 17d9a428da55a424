#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/admin_help.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `help [command]`.
class HelpCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"help"},
                                        "[<command>]",
                                        "显示帮助",
                                        "show help",
                                        {},
                                        0,
                                        3,
                                        /*needs_server=*/false};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    if (args.positionals.empty()) {
      ctx.out() << renderAdminUsage(ctx.table, ctx.lang);
      return kExitOk;
    }
    size_t words = 0;
    const AdminCommand* topic = ctx.table.find(args.positionals, &words);
    if (topic == nullptr || words != args.positionals.size()) {
      return reportUsage(
          ctx, tr(ctx.lang, "没有这个命令：", "no such command: ") + args.positionals.front());
    }
    ctx.out() << renderAdminCommandHelp(*topic, ctx.lang);
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeHelpCommand() { return std::make_unique<HelpCommand>(); }

}  // namespace xiaoan::admin
