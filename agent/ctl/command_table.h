#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/ctl/command.h"

namespace xiaoan::ctl {

// The one list of xiaoanctl commands.
class CommandTable {
 public:
  void add(std::unique_ptr<Command> command);

  // The command named by the leading positionals (longest match); `words` gets how many
  // positionals its name used.
  Command* find(const std::vector<std::string>& positionals, size_t* words) const;

  const std::vector<std::unique_ptr<Command>>& commands() const { return commands_; }

  // Options of every command plus the global ones, for parsing before the command is known.
  // A name must mean the same (flag or value) everywhere.
  std::vector<OptionSpec> allOptions(const std::vector<OptionSpec>& global) const;

 private:
  std::vector<std::unique_ptr<Command>> commands_;
};

// status, diagnose send-test-events, help, version.
CommandTable makeCommandTable();

}  // namespace xiaoan::ctl
