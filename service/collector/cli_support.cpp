#include "service/collector/cli_support.h"

#include <iostream>

#include "common/cli/cli_args.h"
#include "common/text/text_width.h"
#include "common/text/tr.h"

namespace xiaoan::collector {

namespace po = boost::program_options;

Lang commandLang(const std::vector<std::string>& args, Lang env_lang) {
  return preScanLang(args).value_or(env_lang);
}

unsigned helpWidth(Lang lang) {
  return lang == Lang::kZhCn ? 1000 : po::options_description::m_default_line_length;
}

void addCommonOptions(po::options_description& desc, Lang lang) {
  desc.add_options()("help", tr(lang, "显示本帮助", "show this help").c_str())(
      "lang", po::value<std::string>(),
      tr(lang, "输出语言：zh（默认，或按 LANG）或 en",
         "output language: zh (default, or by LANG) or en")
          .c_str());
}

int fail(const Status& status, Lang lang) {
  std::cerr << "xiaoan-collector: " << errorCodeName(status.code()) << ": "
            << errorCodeLine(status.code(), lang);
  if (!status.message().empty()) {
    std::cerr << tr(lang, "（", " (") << sanitizeForTerminal(status.message())
              << tr(lang, "）", ")");
  }
  std::cerr << std::endl;
  return kExitFailure;
}

bool parseArgs(const std::vector<std::string>& args, const po::options_description& desc,
               po::variables_map& vm, int& exit_code) {
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << desc;
      exit_code = kExitOk;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "xiaoan-collector: " << e.what() << "\n" << desc;
    exit_code = kExitUsage;
    return false;
  }
  if (vm.count("lang") != 0 && !parseLangName(vm["lang"].as<std::string>())) {
    std::cerr << "xiaoan-collector: --lang must be zh or en\n";
    exit_code = kExitUsage;
    return false;
  }
  return true;
}

}  // namespace xiaoan::collector
