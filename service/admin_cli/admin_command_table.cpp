#include "service/admin_cli/admin_command_table.h"

#include <algorithm>
#include <cassert>

#include "service/admin_cli/commands.h"

namespace xiaoan::admin {

void AdminCommandTable::add(std::unique_ptr<AdminCommand> command) {
  commands_.push_back(std::move(command));
}

AdminCommand* AdminCommandTable::find(const std::vector<std::string>& positionals,
                                      size_t* words) const {
  std::vector<std::vector<std::string>> names;
  for (const auto& c : commands_) names.push_back(c->spec().words);
  auto index = matchCommand(names, positionals, words);
  return index ? commands_[*index].get() : nullptr;
}

std::vector<OptionSpec> AdminCommandTable::allOptions(const std::vector<OptionSpec>& global) const {
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

AdminCommandTable makeAdminCommandTable() {
  AdminCommandTable table;
  table.add(makeSchoolAddCommand());
  table.add(makeSchoolListCommand());
  table.add(makeTokenCreateCommand());
  table.add(makeTokenListCommand());
  table.add(makeTokenRevokeCommand());
  table.add(makeTerminalsListCommand());
  table.add(makeEventsListCommand());
  table.add(makeHelpCommand());
  table.add(makeVersionCommand());
  return table;
}

}  // namespace xiaoan::admin
