#include "service/admin_cli/admin_app.h"

#include <algorithm>

#include "common/text/tr.h"
#include "platform/file_util.h"
#include "service/admin_cli/admin_context.h"
#include "service/admin_cli/admin_exit_code.h"
#include "service/admin_cli/admin_help.h"

namespace xiaoan::admin {
namespace {

constexpr size_t kMaxPasswordFileBytes = 4096;

// Options must be global or the command's own; the positional count must fit.
std::optional<std::string> misuse(const AdminCommandSpec& spec, const ParsedArgs& args,
                                  const AdminContext& ctx) {
  for (const auto& name : args.given) {
    const auto own = [&](const OptionSpec& o) { return o.name == name; };
    if (std::none_of(adminGlobalOptions().begin(), adminGlobalOptions().end(), own) &&
        std::none_of(spec.options.begin(), spec.options.end(), own)) {
      return tr(ctx.lang, "该命令不支持选项 --" + name, "this command does not take --" + name);
    }
  }
  if (args.positionals.size() > spec.max_positionals) {
    return tr(ctx.lang, "多余的参数：", "unexpected argument: ") +
           args.positionals[spec.max_positionals];
  }
  if (args.positionals.size() < spec.min_positionals) {
    return tr(ctx.lang, "缺少参数：", "missing argument: ") + spec.usage;
  }
  return std::nullopt;
}

// The password from --password-file (first line) or XIAOAN_ADMIN_PASSWORD.
Result<std::string> readPassword(const ParsedArgs& args, const AdminContext& ctx) {
  if (const std::string* file = args.value("password-file")) {
    auto text = readFile(*file, kMaxPasswordFileBytes);
    if (!text.isOk()) return text.status();
    std::string pw = text->substr(0, text->find_first_of("\r\n"));
    if (pw.empty())
      return Status(ErrorCode::kInvalidArgument,
                    tr(ctx.lang, "密码文件为空：", "password file is empty: ") + *file);
    return pw;
  }
  auto env = ctx.io.env.find("XIAOAN_ADMIN_PASSWORD");
  if (env != ctx.io.env.end() && !env->second.empty()) return env->second;
  return Status(ErrorCode::kInvalidArgument,
                tr(ctx.lang, "需要密码：用 --password-file FILE 或环境变量 XIAOAN_ADMIN_PASSWORD",
                   "a password is needed: --password-file FILE or XIAOAN_ADMIN_PASSWORD"));
}

// --server as "https://host:port" without a trailing slash.
std::optional<std::string> serverUrl(const ParsedArgs& args) {
  const std::string* server = args.value("server");
  if (server == nullptr || server->rfind("https://", 0) != 0 || server->size() <= 8)
    return std::nullopt;
  std::string url = *server;
  while (url.back() == '/') url.pop_back();
  return url;
}

int runWithServer(AdminCommand& command, AdminContext& ctx, const ParsedArgs& args) {
  auto url = serverUrl(args);
  if (!url)
    return reportUsage(ctx, tr(ctx.lang, "需要 --server https://主机:端口",
                               "--server https://host:port is required"));
  const std::string* ca = args.value("ca");
  if (ca == nullptr || ca->empty())
    return reportUsage(ctx, tr(ctx.lang, "需要 --ca FILE（采集服务器的 CA 证书）",
                               "--ca FILE (the collector's CA certificate) is required"));
  auto ca_pem = readFile(*ca, 1024 * 1024);
  if (!ca_pem.isOk()) {
    printError(ctx, ca_pem.status());
    return kExitFailure;
  }
  auto password = readPassword(args, ctx);
  if (!password.isOk()) {
    printError(ctx, password.status());
    return password.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  const std::string* user = args.value("user");
  auto transport = ctx.io.make_transport(*ca);
  AdminApiClient api(*transport, *url, user ? *user : "admin", *password, ctx.lang);
  ctx.api = &api;
  const int code = command.run(ctx, args);
  ctx.api = nullptr;
  return code;
}

int dispatch(AdminContext& ctx, ParsedArgs& args) {
  size_t words = 0;
  AdminCommand* command = ctx.table.find(args.positionals, &words);
  if (command == nullptr) {
    if (args.positionals.empty()) {
      (args.flag("help") ? ctx.out() : ctx.err()) << renderAdminUsage(ctx.table, ctx.lang);
      return args.flag("help") ? kExitOk : kExitUsage;
    }
    return reportUsage(ctx, tr(ctx.lang, "未知命令：", "unknown command: ") + args.positionals[0]);
  }
  if (args.flag("help")) {
    ctx.out() << renderAdminCommandHelp(*command, ctx.lang);
    return kExitOk;
  }
  args.positionals.erase(args.positionals.begin(), args.positionals.begin() + words);
  if (auto problem = misuse(command->spec(), args, ctx)) return reportUsage(ctx, *problem);
  if (!command->spec().needs_server) return command->run(ctx, args);
  return runWithServer(*command, ctx, args);
}

}  // namespace

int runXiaoanAdmin(const AdminIo& io) {
  const AdminCommandTable table = makeAdminCommandTable();
  AdminContext ctx{io, table, preScanLang(io.args).value_or(langFromLocaleEnv(io.env)), false,
                   nullptr};
  auto args = parseArgs(io.args, table.allOptions(adminGlobalOptions()), ctx.lang);
  if (!args.isOk()) {
    std::string message = args.status().message();
    if (message.find("--password") != std::string::npos &&
        message.find("--password-file") == std::string::npos) {
      message += tr(ctx.lang, "；密码请用 --password-file 或 XIAOAN_ADMIN_PASSWORD",
                    "; pass the password with --password-file or XIAOAN_ADMIN_PASSWORD");
    }
    return reportUsage(ctx, message);
  }
  if (const std::string* lang = args->value("lang")) {
    auto parsed = parseLangName(*lang);
    if (!parsed)
      return reportUsage(ctx, tr(ctx.lang, "--lang 只能是 zh 或 en", "--lang must be zh or en"));
    ctx.lang = *parsed;
  }
  ctx.json = args->flag("json");
  return dispatch(ctx, args.value());
}

}  // namespace xiaoan::admin
