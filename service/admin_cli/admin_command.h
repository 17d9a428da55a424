#pragma once

#include <string>
#include <vector>

#include "common/cli/cli_args.h"

namespace xiaoan::admin {

struct AdminContext;

// What a command is and what it needs; the dispatcher enforces the needs before run().
struct AdminCommandSpec {
  std::vector<std::string> words;  // e.g. {"token", "create"}
  std::string usage;               // arguments after the words
  std::string summary_zh;
  std::string summary_en;
  std::vector<OptionSpec> options;  // command-specific options
  size_t min_positionals = 0;       // words after the command words: at least
  size_t max_positionals = 0;       // ... and at most
  bool needs_server = true;         // --server, --ca and a password; sets AdminContext::api
};

// One xiaoan-admin command: a small class registered in admin_command_table.cpp; run()
// returns the exit code (admin_exit_code.h).
class AdminCommand {
 public:
  virtual ~AdminCommand() = default;
  virtual const AdminCommandSpec& spec() const = 0;
  virtual int run(AdminContext& ctx, const ParsedArgs& args) = 0;
};

}  // namespace xiaoan::admin
