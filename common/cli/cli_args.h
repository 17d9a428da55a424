#pragma once

// Command-line parsing shared by the command-line tools: long options only
// (`--name value`, `--name=value`, flags), `-h` as `--help`, `--` ends options; the
// remaining words are positionals from which the tool picks its command
// ("status", "diagnose send-test-events", "token create").

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error_code.h"
#include "platform/result.h"

namespace xiaoan {

struct OptionSpec {
  std::string name;          // without "--"
  bool takes_value = false;  // `--name VALUE`; otherwise a flag
  std::string value_name;    // shown in help, e.g. "N" or "FILE"
  std::string help_zh;       // one line of help, Simplified Chinese
  std::string help_en;       // one line of help, English
};

struct ParsedArgs {
  std::vector<std::string> positionals;
  std::map<std::string, std::string> values;  // options that took a value
  std::set<std::string> flags;                // flags that were given
  // Every option name that was given (values and flags), for "allowed here?" checks.
  std::vector<std::string> given;

  bool flag(const std::string& name) const { return flags.count(name) > 0; }
  const std::string* value(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
};

// Parses `args` (argv without the program name). Unknown options, a missing value, a value
// given to a flag, or the same option twice -> E_INVALID_ARGUMENT with a message in `lang`.
Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs, Lang lang);

// Index of the command in `names` whose words are the longest prefix of `positionals`
// (e.g. {"token","create"}); `words` receives how many positionals it used.
std::optional<size_t> matchCommand(const std::vector<std::vector<std::string>>& names,
                                   const std::vector<std::string>& positionals, size_t* words);

// "--lang" values: zh, zh-CN, zh_CN, en, en-US, ... (case-insensitive); nullopt otherwise.
std::optional<Lang> parseLangName(std::string_view value);

// The first non-empty of LC_ALL, LC_MESSAGES, LANG in `env`: "en*" is English, anything else
// (including unset, "C" and "POSIX") is Simplified Chinese, the product's first language.
Lang langFromLocaleEnv(const std::map<std::string, std::string>& env);

// The value of a "--lang X" / "--lang=X" anywhere in `args`, looked at before the real parse
// so that even errors in the rest of the line come in the chosen language.
std::optional<Lang> preScanLang(const std::vector<std::string>& args);

// Strict decimal parse: digits only, no sign, no spaces, value in [min, max].
std::optional<uint64_t> parseUint(std::string_view text, uint64_t min, uint64_t max);

}  // namespace xiaoan
