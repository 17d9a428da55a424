#include "common/text/text_width.h"
#include "common/text/tr.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::admin {
namespace {

// `bundle export --terminal T --out FILE`: the terminal's signed metadata and artifacts as an
// offline bundle, for `xiaoanctl apply-bundle FILE` on a terminal without a network.
class BundleExportCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"bundle", "export"},
        "--terminal T --out FILE",
        "导出终端的离线更新包（在终端上用 xiaoanctl apply-bundle FILE 导入）",
        "export a terminal's offline update bundle (apply it with xiaoanctl apply-bundle FILE)",
        {{"terminal", true, "T", "终端 ID", "terminal id"},
         {"out", true, "FILE", "写入的文件", "file to write"}}};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& args) override {
    const std::string* terminal = args.value("terminal");
    const std::string* out = args.value("out");
    if (terminal == nullptr || terminal->empty() || out == nullptr || out->empty()) {
      return reportUsage(ctx, tr(ctx.lang, "需要 --terminal T 和 --out FILE",
                                 "--terminal T and --out FILE are required"));
    }
    auto bytes = ctx.api->exportBundle(*terminal);
    if (!bytes.isOk()) return reportApiFailure(ctx, bytes.status());
    v1::OfflineBundle bundle;
    if (!bundle.ParseFromString(*bytes) || bundle.format() != "xiaoan-bundle-v1") {
      return reportApiFailure(ctx, Status(ErrorCode::kProtocol, "the answer is not a bundle"));
    }
    // Signed and public to the terminal: world-readable like the metadata it carries.
    if (Status st = atomicWriteFile(*out, *bytes, 0644); !st.isOk()) {
      printError(ctx, st);
      return kExitFailure;
    }
    if (ctx.json) return printJson(ctx, bundle);
    ctx.out() << tr(ctx.lang, "已导出终端 ", "exported the bundle of terminal ")
              << sanitizeForTerminal(*terminal) << tr(ctx.lang, " 的离线更新包：", ": ") << *out
              << " (" << bytes->size()
              << tr(ctx.lang, " 字节，策略版本 ", " bytes, policy version ")
              << policyVersion(bundle) << ")\n";
    return kExitOk;
  }

 private:
  static uint64_t policyVersion(const v1::OfflineBundle& bundle) {
    if (bundle.entries_size() == 0) return 0;
    auto targets = trust::parseTargets(bundle.entries(0).update().content_targets().payload());
    if (!targets.isOk()) return 0;
    for (const auto& a : targets->artifacts()) {
      if (a.kind() == v1::ARTIFACT_KIND_POLICY) return a.version();
    }
    return 0;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeBundleExportCommand() {
  return std::make_unique<BundleExportCommand>();
}

}  // namespace xiaoan::admin
