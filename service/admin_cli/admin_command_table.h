#pragma once

#include <memory>
#include <vector>

#include "service/admin_cli/admin_command.h"

namespace xiaoan::admin {

// The one list of xiaoan-admin commands.
class AdminCommandTable {
 public:
  void add(std::unique_ptr<AdminCommand> command);
  // The command named by the leading positionals (longest match); `words` gets its length.
  AdminCommand* find(const std::vector<std::string>& positionals, size_t* words) const;
  const std::vector<std::unique_ptr<AdminCommand>>& commands() const { return commands_; }
  // Options of every command plus `global`, for parsing before the command is known.
  std::vector<OptionSpec> allOptions(const std::vector<OptionSpec>& global) const;

 private:
  std::vector<std::unique_ptr<AdminCommand>> commands_;
};

// school add|list, token create|list|revoke, terminals list, events list, help, version.
AdminCommandTable makeAdminCommandTable();

}  // namespace xiaoan::admin
