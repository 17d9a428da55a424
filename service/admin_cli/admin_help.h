#pragma once

#include <string>
#include <vector>

#include "platform/error_code.h"
#include "service/admin_cli/admin_command_table.h"

namespace xiaoan::admin {

// Options every command accepts: --server, --ca, --user, --password-file, --json, --lang,
// --help. There is deliberately no --password: command lines are visible to every user.
const std::vector<OptionSpec>& adminGlobalOptions();

// `xiaoan-admin --help`: usage, commands, global options, password sources, exit codes.
std::string renderAdminUsage(const AdminCommandTable& table, Lang lang);

// `xiaoan-admin <command> --help`.
std::string renderAdminCommandHelp(const AdminCommand& command, Lang lang);

}  // namespace xiaoan::admin
