#include "agent/ctl/command_table.h"

#include <algorithm>
#include <cassert>

#include "agent/ctl/commands.h"

namespace xiaoan::ctl {

void CommandTable::add(std::unique_ptr<Command> command) {
  commands_.push_back(std::move(command));
}

Command* CommandTable::find(const std::vector<std::string>& positionals, size_t* words) const {
  std::vector<std::vector<std::string>> names;
  for (const auto& c : commands_) names.push_back(c->spec().words);
  auto index = matchCommand(names, positionals, words);
  return index ? commands_[*index].get() : nullptr;
}

std::vector<OptionSpec> CommandTable::allOptions(const std::vector<OptionSpec>& global) const {
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

CommandTable makeCommandTable() {
  CommandTable table;
  table.add(makeStatusCommand());
  table.add(makeSendTestEventsCommand());
  table.add(makeHelpCommand());
  table.add(makeVersionCommand());
  return table;
}

}  // namespace xiaoan::ctl
