#pragma once

#include "agent/ctl/ctl_io.h"

namespace xiaoan::ctl {

// Runs xiaoanctl against the given world and returns the process exit code (exit_code.h):
// parses the global options anywhere on the line, finds the command in the table, enforces
// its declared needs (root, agent config), then runs it.
int runXiaoanctl(const CtlIo& io);

}  // namespace xiaoan::ctl
