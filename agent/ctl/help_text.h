#pragma once

#include <string>
#include <vector>

#include "agent/ctl/command_table.h"
#include "platform/error_code.h"

namespace xiaoan::ctl {

// Options every command accepts: --socket, --config, --lang, --json, --help.
const std::vector<OptionSpec>& globalOptions();

// `xiaoanctl --help`: usage, the command table, global options and the exit codes.
std::string renderUsage(const CommandTable& table, Lang lang);

// `xiaoanctl <command> --help`.
std::string renderCommandHelp(const Command& command, Lang lang);

}  // namespace xiaoan::ctl
