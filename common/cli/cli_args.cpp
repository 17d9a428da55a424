#include "common/cli/cli_args.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/text/tr.h"

namespace xiaoan {
namespace {

const OptionSpec* findSpec(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

Status usage(Lang lang, const std::string& zh, const std::string& en) {
  return Status(ErrorCode::kInvalidArgument, tr(lang, zh, en));
}

// Handles one "--name[=value]" word at args[*i]; may consume the next word as the value.
Status takeOption(const std::vector<std::string>& args, size_t* i,
                  const std::vector<OptionSpec>& specs, Lang lang, ParsedArgs* out) {
  std::string_view word = args[*i];
  std::string name(word == "-h" ? "help" : word.substr(2));
  std::optional<std::string> inline_value;
  if (auto eq = name.find('='); eq != std::string::npos) {
    inline_value = name.substr(eq + 1);
    name.resize(eq);
  }
  const OptionSpec* spec = findSpec(specs, name);
  if (spec == nullptr) {
    return usage(lang, "未知选项 --" + name, "unknown option --" + name);
  }
  if (std::find(out->given.begin(), out->given.end(), name) != out->given.end()) {
    return usage(lang, "选项 --" + name + " 重复", "option --" + name + " given twice");
  }
  out->given.push_back(name);
  if (!spec->takes_value) {
    if (inline_value) {
      return usage(lang, "选项 --" + name + " 不带参数值", "option --" + name + " takes no value");
    }
    out->flags.insert(name);
    return Status::ok();
  }
  if (!inline_value) {
    if (*i + 1 >= args.size()) {
      return usage(lang, "选项 --" + name + " 缺少参数值 " + spec->value_name,
                   "option --" + name + " needs a value " + spec->value_name);
    }
    inline_value = args[++*i];
  }
  out->values[name] = *inline_value;
  return Status::ok();
}

}  // namespace

Result<ParsedArgs> parseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs, Lang lang) {
  ParsedArgs out;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (!options_done && word == "--") {
      options_done = true;
    } else if (!options_done && (word == "-h" || (word.size() > 2 && word.rfind("--", 0) == 0))) {
      XIAOAN_RETURN_IF_ERROR(takeOption(args, &i, specs, lang, &out));
    } else if (!options_done && word.size() > 1 && word[0] == '-') {
      return Status(ErrorCode::kInvalidArgument, tr(lang, "未知选项 ", "unknown option ") + word);
    } else {
      out.positionals.push_back(word);
    }
  }
  return out;
}

std::optional<size_t> matchCommand(const std::vector<std::vector<std::string>>& names,
                                   const std::vector<std::string>& positionals, size_t* words) {
  std::optional<size_t> best;
  size_t best_len = 0;
  for (size_t n = 0; n < names.size(); ++n) {
    const auto& cmd = names[n];
    if (cmd.empty() || cmd.size() > positionals.size() || cmd.size() <= best_len) continue;
    if (std::equal(cmd.begin(), cmd.end(), positionals.begin())) {
      best = n;
      best_len = cmd.size();
    }
  }
  if (words != nullptr) *words = best_len;
  return best;
}

std::optional<Lang> parseLangName(std::string_view value) {
  if (startsWithNoCase(value, "zh")) return Lang::kZhCn;
  if (startsWithNoCase(value, "en")) return Lang::kEn;
  return std::nullopt;
}

Lang langFromLocaleEnv(const std::map<std::string, std::string>& env) {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    auto it = env.find(name);
    if (it != env.end() && !it->second.empty()) {
      return startsWithNoCase(it->second, "en") ? Lang::kEn : Lang::kZhCn;
    }
  }
  return Lang::kZhCn;
}

std::optional<Lang> preScanLang(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--lang" && i + 1 < args.size()) return parseLangName(args[i + 1]);
    if (args[i].rfind("--lang=", 0) == 0) return parseLangName(args[i].substr(7));
  }
  return std::nullopt;
}

std::optional<uint64_t> parseUint(std::string_view text, uint64_t min, uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (v < min || v > max) return std::nullopt;
  return v;
}

}  // namespace xiaoan
