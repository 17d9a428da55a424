// `rooms list|add|rename|delete --school S`: rooms are first-class (issue 11): terminals,
// registry entries and room policy layers name them; a name differing from an existing room
// only by blanks is refused.
#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "service/admin_cli/school_args.h"

namespace xiaoan::admin {
namespace {

class RoomsListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"rooms", "list"},
                                        "--school S",
                                        "列出学校的机房及其终端数、登记数",
                                        "list a school's rooms with their terminals and entries",
                                        {requiredSchoolOption()}};
    return kSpec;
  }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    const std::string* school = requireSchool(ctx, args, code);
    if (school == nullptr) return code;
    auto list = ctx.api->listRooms(*school);
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "机房", "room"), tr(ctx.lang, "终端数", "terminals"),
                     tr(ctx.lang, "登记数", "entries"), tr(ctx.lang, "机房策略", "policy")});
    for (const auto& r : list->rooms()) {
      table.addRow({r.name(), std::to_string(r.terminals()), std::to_string(r.entries()),
                    r.has_policy() ? tr(ctx.lang, "有", "yes") : "-"});
    }
    const auto n = std::to_string(list->rooms_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 个机房\n", n + " rooms\n");
    return kExitOk;
  }
};

// add NAME / rename OLD NEW / delete NAME.
class RoomsChangeCommand final : public AdminCommand {
 public:
  RoomsChangeCommand(std::string verb, std::string usage, std::string zh, std::string en,
                     size_t args)
      : verb_(std::move(verb)),
        spec_{
            {"rooms", verb_}, "--school S " + usage, zh, en, {requiredSchoolOption()}, args, args} {
  }
  const AdminCommandSpec& spec() const override { return spec_; }
  int run(AdminContext& ctx, const ParsedArgs& args) override {
    int code = kExitOk;
    const std::string* school = requireSchool(ctx, args, code);
    if (school == nullptr) return code;
    const auto& p = args.positionals;
    Result<v1::RoomRequest> done = verb_ == "add" ? ctx.api->changeRoom("POST", *school, "", p[0])
                                   : verb_ == "rename"
                                       ? ctx.api->changeRoom("PUT", *school, p[0], p[1])
                                       : ctx.api->changeRoom("DELETE", *school, p[0], "");
    if (!done.isOk()) return reportApiFailure(ctx, done.status());
    if (ctx.json) return printJson(ctx, *done);
    const std::string name = sanitizeForTerminal(p.back());
    if (verb_ == "add") ctx.out() << tr(ctx.lang, "已添加机房 ", "added room ") << name << "\n";
    if (verb_ == "rename") {
      ctx.out() << tr(ctx.lang, "机房已改名为 ", "room renamed to ") << name << "\n";
    }
    if (verb_ == "delete")
      ctx.out() << tr(ctx.lang, "已删除机房 ", "deleted room ") << name << "\n";
    return kExitOk;
  }

 private:
  std::string verb_;
  AdminCommandSpec spec_;
};

}  // namespace

std::unique_ptr<AdminCommand> makeRoomsListCommand() {
  return std::make_unique<RoomsListCommand>();
}
std::unique_ptr<AdminCommand> makeRoomsAddCommand() {
  return std::make_unique<RoomsChangeCommand>("add", "NAME", "添加机房", "add a room", 1);
}
std::unique_ptr<AdminCommand> makeRoomsRenameCommand() {
  return std::make_unique<RoomsChangeCommand>(
      "rename", "OLD NEW", "机房改名（终端、登记表与机房策略随之改名）",
      "rename a room (its terminals, entries and room policy follow)", 2);
}
std::unique_ptr<AdminCommand> makeRoomsDeleteCommand() {
  return std::make_unique<RoomsChangeCommand>(
      "delete", "NAME", "删除空机房（无终端、无登记；机房策略一并删除）",
      "delete an empty room (no terminals, no entries; its room policy goes too)", 1);
}

}  // namespace xiaoan::admin
