#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"

namespace xiaoan::ctl {
namespace {

// `xiaoanctl version`.
class VersionCommand final : public Command {
 public:
  const CommandSpec& spec() const override {
    static const CommandSpec kSpec{{"version"},          "", "显示版本", "show the version", {}, 0,
                                   /*needs_root=*/false,
                                   /*needs_agent=*/false};
    return kSpec;
  }

  int run(CtlContext& ctx, const ParsedArgs& /*args*/) override {
    if (ctx.json) {
      ctx.out() << "{\n  \"name\": \"xiaoanctl\",\n  \"version\": \"" XIAOAN_VERSION "\"\n}\n";
    } else {
      ctx.out() << "xiaoanctl " XIAOAN_VERSION "\n";
    }
    return kExitHealthy;
  }
};

}  // namespace

std::unique_ptr<Command> makeVersionCommand() { return std::make_unique<VersionCommand>(); }

}  // namespace xiaoan::ctl
