#pragma once

#include "service/admin_cli/admin_io.h"

namespace xiaoan::admin {

// Runs xiaoan-admin against the given world and returns the exit code (admin_exit_code.h):
// parses the global options anywhere on the line, finds the command in the table, sets up
// the API client for commands that need the server (URL, CA, password), then runs it.
int runXiaoanAdmin(const AdminIo& io);

}  // namespace xiaoan::admin
