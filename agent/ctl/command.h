#pragma once

#include <string>
#include <vector>

#include "common/cli/cli_args.h"

namespace xiaoan::ctl {

struct CtlContext;

// What a command is and what it needs; the dispatcher enforces the needs before run().
struct CommandSpec {
  std::vector<std::string> words;  // e.g. {"diagnose", "send-test-events"}
  std::string usage;               // arguments after the words, e.g. "--count N [--json]"
  std::string summary_zh;
  std::string summary_en;
  std::vector<OptionSpec> options;  // command-specific options (global ones are always allowed)
  size_t max_positionals = 0;       // words allowed after the command words
  bool needs_root = false;          // refuse early (exit 4) unless euid == 0
  bool needs_agent = false;         // talks to the daemon or reads its state: load the config
};

// One xiaoanctl command. Commands are small classes registered in one table
// (command_table.cpp); run() returns the process exit code (exit_code.h).
class Command {
 public:
  virtual ~Command() = default;
  virtual const CommandSpec& spec() const = 0;
  // `args` holds the options given and the positionals after the command words.
  virtual int run(CtlContext& ctx, const ParsedArgs& args) = 0;
};

}  // namespace xiaoan::ctl
