#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/terminal_ref.h"

namespace xiaoan::admin {
namespace {

// `terminals set-room T ROOM`: PUT /api/v1/terminals/T/room. An empty ROOM ('') unassigns.
class TerminalsSetRoomCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"terminals", "set-room"},
        "TERMINAL ROOM",
        "把终端分配到本校的机房（机房策略随之生效；ROOM 为 '' 则取消）；TERMINAL 可为终端 ID、"
        "学校/机房/座位、学校/使用人或主机名",
        "assign a terminal to a room of its school (the room's policy applies; '' unassigns); "
        "TERMINAL is an id, school/room/seat, school/owner or a hostname",
        {},
        2,
        2};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    auto resolved = resolveTerminalArg(ctx, args.positionals[0], code);
    if (!resolved) return code;
    const std::string& terminal = *resolved;
    const std::string& room = args.positionals[1];
    auto set = ctx.api->setTerminalRoom(terminal, room);
    if (!set.isOk()) return reportApiFailure(ctx, set.status());
    if (ctx.json) return printJson(ctx, *set);
    const std::string t = sanitizeForTerminal(terminal);
    if (room.empty()) {
      ctx.out() << tr(ctx.lang, "终端 " + t + " 已不属于任何机房\n",
                      "terminal " + t + " has no room now\n");
    } else {
      const std::string r = sanitizeForTerminal(room);
      ctx.out() << tr(ctx.lang, "终端 " + t + " 已分配到机房 " + r + "\n",
                      "terminal " + t + " is now in room " + r + "\n");
    }
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeTerminalsSetRoomCommand() {
  return std::make_unique<TerminalsSetRoomCommand>();
}

}  // namespace xiaoan::admin
