#pragma once

#include "common/cli/cli_command_table.h"
#include "service/admin_cli/admin_command.h"

namespace xiaoan::admin {

// The one list of xiaoan-admin commands.
using AdminCommandTable = CliCommandTable<AdminCommand>;

// school add|list, token create|list|revoke, terminals list|set-room, events list,
// policy get|set|apply|delete, bundle export, signatures publish|list, detections list,
// browsing search, sessions list, alerts list,
// keys init|rotate-root, help, version.
AdminCommandTable makeAdminCommandTable();

}  // namespace xiaoan::admin
