#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

constexpr size_t kDescriptionColumns = 40;

// `signatures list`: GET /api/v1/signatures, newest first.
class SignaturesListCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{{"signatures", "list"},
                                        "",
                                        "列出已发布的特征库版本（从新到旧）",
                                        "list published signature bundles (newest first)",
                                        {}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& /*args*/) override {
    auto list = ctx.api->listSignatures();
    if (!list.isOk()) return reportApiFailure(ctx, list.status());
    if (ctx.json) return printJson(ctx, *list);
    TextTable table({ctx.tr("版本", "version"), ctx.tr("发布时间", "published"),
                     ctx.tr("规则数", "rules"), ctx.tr("文件数", "files"), ctx.tr("大小", "bytes"),
                     ctx.tr("警告", "warnings"), ctx.tr("发布人", "by"),
                     ctx.tr("说明", "description")});
    for (const auto& b : list->bundles()) {
      std::string description = sanitizeForTerminal(b.description());
      table.addRow({std::to_string(b.version()), tableTime(b.published_at(), b.has_published_at()),
                    std::to_string(b.rule_count()), std::to_string(b.file_count()),
                    std::to_string(b.size()), std::to_string(b.warning_count()),
                    sanitizeForTerminal(b.published_by()),
                    description.empty() ? "-" : truncateToWidth(description, kDescriptionColumns)});
    }
    const auto n = std::to_string(list->bundles_size());
    ctx.out() << table.render()
              << ctx.tr("共 " + n + " 个特征库版本\n", n + " signature bundles\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSignaturesListCommand() {
  return std::make_unique<SignaturesListCommand>();
}

}  // namespace xiaoan::admin
