#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `school add --id ID --name NAME [--abbr A]`: POST /api/v1/schools.
class SchoolAddCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"school", "add"},
        "--id ID --name NAME [--abbr A]",
        "添加学校",
        "add a school",
        {{"id", true, "ID", "学校 ID（小写字母、数字、-，最长 32）",
          "school id (lower-case letters, digits, '-', up to 32)"},
         {"name", true, "NAME", "学校名称，例如 厦门实验小学", "school name, e.g. 厦门实验小学"},
         {"abbr", true, "A", "简称，用于命名规则，例如 XMSY", "abbreviation for naming rules"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* id = args.value("id");
    const std::string* name = args.value("name");
    if (id == nullptr || id->empty() || name == nullptr || name->empty()) {
      return reportUsage(ctx, tr(ctx.lang, "需要 --id 和 --name", "--id and --name are required"));
    }
    v1::School school;
    school.set_id(*id);
    school.set_name(*name);
    if (const std::string* abbr = args.value("abbr")) school.set_abbr(*abbr);
    auto added = ctx.api->addSchool(school);
    if (!added.isOk()) return reportApiFailure(ctx, added.status());
    if (ctx.json) return printJson(ctx, *added);
    const std::string sid = sanitizeForTerminal(added->id());
    const std::string sname = sanitizeForTerminal(added->name());
    ctx.out() << tr(ctx.lang, "已添加学校 " + sid + "（" + sname + "）\n",
                    "added school " + sid + " (" + sname + ")\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSchoolAddCommand() {
  return std::make_unique<SchoolAddCommand>();
}

}  // namespace xiaoan::admin
