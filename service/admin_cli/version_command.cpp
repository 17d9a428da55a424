#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/commands.h"

namespace xiaoan::admin {
namespace {

// `version`.
class VersionCommand final : public AdminCommand {
 public:
  const AdminCommandSpec& spec() const override {
    static const AdminCommandSpec kSpec{
        {"version"},           "", "显示版本", "show the version", {}, 0, 0,
        /*needs_server=*/false};
    return kSpec;
  }

  int run(AdminContext& ctx, const ParsedArgs& /*args*/) override {
    ctx.out() << "xiaoan-admin " XIAOAN_VERSION "\n";
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<AdminCommand> makeVersionCommand() { return std::make_unique<VersionCommand>(); }

}  // namespace xiaoan::admin
