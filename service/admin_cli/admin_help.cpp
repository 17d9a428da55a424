#include "service/admin_cli/admin_help.h"

#include <algorithm>

#include "common/cli/cli_command_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::admin {
namespace {

std::string exitCodes(Lang lang) {
  return tr(
      lang,
      "\n密码：--password-file FILE（文件第一行）或环境变量 XIAOAN_ADMIN_PASSWORD；"
      "不支持在命令行上写密码。\n"
      "\n退出码：\n  0  成功\n  2  用法错误（包括缺少密码）、输入无效（策略字段、无法编译的规则）\n"
      "  4  身份验证失败（服务器返回 401/403）\n  5  其他错误（TLS、网络、服务器错误）\n",
      "\npassword: --password-file FILE (its first line) or the XIAOAN_ADMIN_PASSWORD "
      "environment variable; never on the command line.\n"
      "\nexit codes:\n  0  success\n"
      "  2  usage error (including a missing password) or invalid input (policy fields, "
      "rules that do not compile)\n"
      "  4  authentication failed (the server said 401/403)\n"
      "  5  other failure (TLS, network, server errors)\n");
}

}  // namespace

const std::vector<OptionSpec>& adminGlobalOptions() {
  static const std::vector<OptionSpec> kGlobal = {
      {"server", true, "URL", "管理接口地址，例如 https://127.0.0.1:8444",
       "admin API address, e.g. https://127.0.0.1:8444"},
      {"ca", true, "FILE", "采集服务器的 CA 证书（PEM，只信任它）",
       "the collector's CA certificate (PEM; the only one trusted)"},
      {"user", true, "NAME", "管理员账号（默认 admin）", "admin account (default admin)"},
      {"password-file", true, "FILE", "从文件读取密码", "read the password from a file"},
      {"json", false, "", "输出接口返回的 JSON（snake_case）", "print the API's JSON (snake_case)"},
      {"lang", true, "zh|en", "输出语言（默认按 LC_ALL / LC_MESSAGES / LANG）",
       "output language (default from LC_ALL / LC_MESSAGES / LANG)"},
      {"help", false, "", "显示帮助", "show help"},
  };
  return kGlobal;
}

std::string renderAdminUsage(const AdminCommandTable& table, Lang lang) {
  std::string out =
      tr(lang,
         "xiaoan-admin：小安采集服务器管理工具\n\n"
         "用法：xiaoan-admin --server URL --ca FILE [全局选项] <命令> [选项]\n\n命令：\n",
         "xiaoan-admin: administration tool of the xiaoan collector\n\n"
         "usage: xiaoan-admin --server URL --ca FILE [global options] <command> "
         "[options]\n\ncommands:\n");
  for (const auto& c : table.commands()) {
    const auto& s = c->spec();
    out += "  " + cliCommandName(s.words) + (s.usage.empty() ? "" : " " + s.usage) + "\n      " +
           tr(lang, s.summary_zh, s.summary_en) + "\n";
  }
  out += tr(lang, "\n全局选项：\n", "\nglobal options:\n");
  appendCliOptions(adminGlobalOptions(), lang, &out);
  return out + exitCodes(lang);
}

std::string renderAdminCommandHelp(const AdminCommand& command, Lang lang) {
  const auto& s = command.spec();
  std::string out = tr(lang, "用法：", "usage: ") + "xiaoan-admin " + cliCommandName(s.words) +
                    (s.usage.empty() ? "" : " " + s.usage) + "\n\n" +
                    tr(lang, s.summary_zh, s.summary_en) + "\n";
  if (!s.options.empty()) {
    out += tr(lang, "\n选项：\n", "\noptions:\n");
    appendCliOptions(s.options, lang, &out);
  }
  return out + tr(lang, "\n全局选项见 xiaoan-admin --help。\n",
                  "\nfor global options see xiaoan-admin --help.\n");
}

}  // namespace xiaoan::admin
