#pragma once

#include <algorithm>
#include <cassert>
#include <memory>
#include <string>
#include <vector>

#include "common/cli/cli_args.h"

namespace xiaoan {

// The one table of a CLI's commands (xiaoanctl, xiaoan-admin). CommandT has
// `spec().words` (the command's name, e.g. {"token", "create"}) and `spec().options`.
template <typename CommandT>
class CliCommandTable {
 public:
  void add(std::unique_ptr<CommandT> command) { commands_.push_back(std::move(command)); }

  // The command named by the leading positionals (longest match); `words` gets how many
  // positionals its name used.
  CommandT* find(const std::vector<std::string>& positionals, size_t* words) const {
    std::vector<std::vector<std::string>> names;
    for (const auto& c : commands_) names.push_back(c->spec().words);
    auto index = matchCommand(names, positionals, words);
    return index ? commands_[*index].get() : nullptr;
  }

  const std::vector<std::unique_ptr<CommandT>>& commands() const { return commands_; }

  // Options of every command plus the global ones, for parsing before the command is known.
  // A name must mean the same (flag or value) everywhere.
  std::vector<OptionSpec> allOptions(const std::vector<OptionSpec>& global) const {
    std::vector<OptionSpec> all = global;
    for (const auto& c : commands_) {
      for (const auto& o : c->spec().options) {
        auto same = std::find_if(all.begin(), all.end(),
                                 [&](const OptionSpec& s) { return s.name == o.name; });
        if (same == all.end()) {
          all.push_back(o);
        } else {
          assert(same->takes_value == o.takes_value && "option means two things");
        }
      }
    }
    return all;
  }

 private:
  std::vector<std::unique_ptr<CommandT>> commands_;
};

// Help-text pieces shared by the CLIs: "token create", "--ttl DURATION", and an aligned
// option list ("  --ttl DURATION  令牌有效期") in the chosen language.
std::string cliCommandName(const std::vector<std::string>& words);
std::string cliOptionLabel(const OptionSpec& option);
void appendCliOptions(const std::vector<OptionSpec>& options, Lang lang, std::string* out);

}  // namespace xiaoan
