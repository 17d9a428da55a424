#include "common/text/text_table.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `school list`: GET /api/v1/schools.
class SchoolListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"school", "list"}, "", "列出学校", "list schools", {}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& /*args*/) override {
    auto list = ctx.api->listSchools();
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({tr(ctx.lang, "学校 ID", "school id"), tr(ctx.lang, "名称", "name"),
                     tr(ctx.lang, "简称", "abbr"), tr(ctx.lang, "创建时间", "created")});
    for (const auto& s : list->schools()) {
      table.addRow({s.id(), s.name(), s.abbr(), tableTime(s.created_at(), s.has_created_at())});
    }
    const auto n = std::to_string(list->schools_size());
    ctx.out() << table.render() << tr(ctx.lang, "共 " + n + " 所学校\n", n + " schools\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSchoolListCommand() {
  return std::make_unique<SchoolListCommand>();
}

}  // namespace xiaoan::admin
