#include "common/text/text_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"
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
    TextTable table({tr(ctx.lang, "版本", "version"), tr(ctx.lang, "发布时间", "published"),
                     tr(ctx.lang, "规则数", "rules"), tr(ctx.lang, "文件数", "files"),
                     tr(ctx.lang, "大小", "bytes"), tr(ctx.lang, "警告", "warnings"),
                     tr(ctx.lang, "发布人", "by"), tr(ctx.lang, "说明", "description")});
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
              << tr(ctx.lang, "共 " + n + " 个特征库版本\n", n + " signature bundles\n");
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeSignaturesListCommand() {
  return std::make_unique<SignaturesListCommand>();
}

}  // namespace xiaoan::admin
