#include "agent/ctl/help_text.h"

#include <algorithm>

#include "agent/core/default_paths.h"
#include "common/cli/cli_command_table.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::ctl {

const std::vector<OptionSpec>& globalOptions() {
  static const std::vector<OptionSpec> kGlobal = {
      {"socket", true, "PATH",
       std::string("代理控制套接字（默认取配置文件的 status_socket，否则 ") +
           agent::kDefaultStatusSocket + "）",
       std::string("agent control socket (default: status_socket from the config, else ") +
           agent::kDefaultStatusSocket + ")"},
      {"config", true, "FILE",
       std::string("代理配置文件（默认 ") + agent::kDefaultConfigPath + "）",
       std::string("agent config file (default ") + agent::kDefaultConfigPath + ")"},
      {"lang", true, "zh|en", "输出语言（默认按 LC_ALL / LC_MESSAGES / LANG，非 en 即中文）",
       "output language (default from LC_ALL / LC_MESSAGES / LANG: en* is English, else Chinese)"},
      {"json", false, "", "输出 JSON（字段名为 snake_case）",
       "print JSON (snake_case field names)"},
      {"help", false, "", "显示帮助", "show help"},
  };
  return kGlobal;
}

std::string renderUsage(const CommandTable& table, Lang lang) {
  std::string out = tr(
      lang,
      "xiaoanctl：小安终端代理命令行工具\n\n用法：xiaoanctl [全局选项] <命令> [选项]\n\n命令：\n",
      "xiaoanctl: command-line tool of the xiaoan agent\n\nusage: xiaoanctl [global options] "
      "<command> [options]\n\ncommands:\n");
  size_t width = 0;
  for (const auto& c : table.commands())
    width = std::max(width, displayWidth(cliCommandName(c->spec().words)));
  for (const auto& c : table.commands()) {
    const auto& s = c->spec();
    out += "  " + padRight(cliCommandName(s.words), width) + "  " +
           tr(lang, s.summary_zh, s.summary_en) + "\n";
  }
  out += tr(lang, "\n全局选项：\n", "\nglobal options:\n");
  appendCliOptions(globalOptions(), lang, &out);
  out +=
      tr(lang,
         "\n退出码：\n"
         "  0  正常：代理运行中、已注册、已连接且没有错误（其他命令：成功）\n"
         "  1  需要注意：代理运行中，但离线、连接出错、未注册、有错误、签名元数据过期或更新被拒绝\n"
         "     （scan：发现病毒）\n"
         "  2  用法错误\n"
         "  3  代理服务未运行（status 显示最后保存的状态）\n"
         "  4  权限不足（需要 root）\n"
         "  5  其他错误\n"
         "\n运行 xiaoanctl help <命令> 查看命令的选项。\n",
         "\nexit codes:\n"
         "  0  healthy: agent running, enrolled, connected, no errors (other commands: success)\n"
         "  1  degraded: agent running but offline, failing, not enrolled, with errors, with\n"
         "     STALE signed metadata or a rejected update (scan: something was detected)\n"
         "  2  usage error\n"
         "  3  agent is not running (status shows the last saved state)\n"
         "  4  permission denied (root required)\n"
         "  5  other failure\n"
         "\nrun xiaoanctl help <command> for its options.\n");
  return out;
}

std::string renderCommandHelp(const Command& command, Lang lang) {
  const auto& s = command.spec();
  std::string out = tr(lang, "用法：", "usage: ") + "xiaoanctl " + cliCommandName(s.words) +
                    (s.usage.empty() ? "" : " " + s.usage) + "\n\n" +
                    tr(lang, s.summary_zh, s.summary_en) + "\n";
  if (s.needs_root) out += tr(lang, "需要 root 权限。\n", "requires root.\n");
  if (!s.options.empty()) {
    out += tr(lang, "\n选项：\n", "\noptions:\n");
    appendCliOptions(s.options, lang, &out);
  }
  out +=
      tr(lang, "\n全局选项见 xiaoanctl --help。\n", "\nfor global options see xiaoanctl --help.\n");
  return out;
}

}  // namespace xiaoan::ctl
