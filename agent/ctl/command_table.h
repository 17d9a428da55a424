#pragma once

#include "agent/ctl/command.h"
#include "common/cli/cli_command_table.h"

namespace xiaoan::ctl {

// The one list of xiaoanctl commands.
using CommandTable = CliCommandTable<Command>;

// status, diagnose send-test-events, apply-bundle, scan, quarantine list|restore|delete, help,
// version.
CommandTable makeCommandTable();

}  // namespace xiaoan::ctl
