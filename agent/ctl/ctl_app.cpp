#include "agent/ctl/ctl_app.h"

#include <algorithm>

#include "agent/ctl/command_table.h"
#include "agent/ctl/ctl_config.h"
#include "agent/ctl/ctl_context.h"
#include "agent/ctl/exit_code.h"
#include "agent/ctl/help_text.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {
namespace {

int usageError(const CtlContext& ctx, const std::string& message) {
  printError(ctx, Status(ErrorCode::kInvalidArgument, message));
  ctx.err() << tr(ctx.lang, "运行 xiaoanctl --help 查看用法。\n",
                  "run xiaoanctl --help for usage.\n");
  return kExitUsage;
}

// Options must be global or the command's own; extra words are counted.
std::optional<std::string> misuse(const CommandSpec& spec, const ParsedArgs& args, Lang lang) {
  for (const auto& name : args.given) {
    const auto own = [&](const OptionSpec& o) { return o.name == name; };
    if (std::none_of(globalOptions().begin(), globalOptions().end(), own) &&
        std::none_of(spec.options.begin(), spec.options.end(), own)) {
      return tr(lang, "命令 " + spec.words.front() + " 不支持选项 --" + name,
                "command " + spec.words.front() + " does not take --" + name);
    }
  }
  if (args.positionals.size() > spec.max_positionals) {
    return tr(lang, "多余的参数：", "unexpected argument: ") +
           args.positionals[spec.max_positionals];
  }
  return std::nullopt;
}

// Socket and state directory: --socket, then the config, then the defaults.
Status resolveAgentPaths(const ParsedArgs& args, CtlContext& ctx) {
  const std::string* config_flag = args.value("config");
  const std::string config_path = config_flag ? *config_flag : ctx.io.default_config_path;
  XIAOAN_ASSIGN_OR_RETURN(v1::AgentBootstrapConfig config, agentConfigOrDefaults(config_path));
  const std::string* socket_flag = args.value("socket");
  ctx.socket_path = socket_flag ? *socket_flag : config.status_socket();
  ctx.state_dir = config.state_dir();
  return Status::ok();
}

// "diagnose send-test-events --count N [...]", for hints.
std::string commandLine(const CommandSpec& spec) {
  std::string line;
  for (const auto& w : spec.words) line += (line.empty() ? "" : " ") + w;
  return spec.usage.empty() ? line : line + " " + spec.usage;
}

int dispatch(CtlContext& ctx, ParsedArgs& args) {
  size_t words = 0;
  Command* command = ctx.table.find(args.positionals, &words);
  if (command == nullptr) {
    if (args.positionals.empty()) {
      (args.flag("help") ? ctx.out() : ctx.err()) << renderUsage(ctx.table, ctx.lang);
      return args.flag("help") ? kExitHealthy : kExitUsage;
    }
    return usageError(ctx, tr(ctx.lang, "未知命令：", "unknown command: ") + args.positionals[0]);
  }
  if (args.flag("help")) {
    ctx.out() << renderCommandHelp(*command, ctx.lang);
    return kExitHealthy;
  }
  args.positionals.erase(args.positionals.begin(), args.positionals.begin() + words);
  if (auto problem = misuse(command->spec(), args, ctx.lang)) return usageError(ctx, *problem);
  if (command->spec().needs_root && ctx.io.euid != 0) {
    printError(ctx, Status(ErrorCode::kPermissionDenied,
                           tr(ctx.lang, "请用 root 运行，例如 sudo xiaoanctl ",
                              "run it as root, e.g. sudo xiaoanctl ") +
                               commandLine(command->spec())));
    return kExitPermissionDenied;
  }
  if (command->spec().needs_agent) {
    Status st = resolveAgentPaths(args, ctx);
    if (!st.isOk()) {
      printError(ctx, st);
      return kExitFailure;
    }
  }
  return command->run(ctx, args);
}

}  // namespace

int runXiaoanctl(const CtlIo& io) {
  const CommandTable table = makeCommandTable();
  CtlContext ctx{io,    table, preScanLang(io.args).value_or(langFromLocaleEnv(io.env)),
                 false, {},    {}};
  auto args = parseArgs(io.args, table.allOptions(globalOptions()), ctx.lang);
  if (!args.isOk()) return usageError(ctx, args.status().message());
  if (const std::string* lang = args->value("lang")) {
    auto parsed = parseLangName(*lang);
    if (!parsed)
      return usageError(ctx, tr(ctx.lang, "--lang 只能是 zh 或 en", "--lang must be zh or en"));
    ctx.lang = *parsed;
  }
  ctx.json = args->flag("json");
  return dispatch(ctx, args.value());
}

}  // namespace xiaoan::ctl
