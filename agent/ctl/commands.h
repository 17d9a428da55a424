#pragma once

#include <memory>

#include "agent/ctl/command.h"

namespace xiaoan::ctl {

// The xiaoanctl commands, one small class each (in <name>_command.cpp); registered in
// command_table.cpp.
std::unique_ptr<Command> makeStatusCommand();
std::unique_ptr<Command> makeSendTestEventsCommand();
std::unique_ptr<Command> makeApplyBundleCommand();
std::unique_ptr<Command> makeScanCommand();
std::unique_ptr<Command> makeQuarantineListCommand();
std::unique_ptr<Command> makeQuarantineRestoreCommand();
std::unique_ptr<Command> makeQuarantineDeleteCommand();
std::unique_ptr<Command> makeBindingCheckCommand();
std::unique_ptr<Command> makeIsolationReleaseCommand();
std::unique_ptr<Command> makeHelpCommand();
std::unique_ptr<Command> makeVersionCommand();

}  // namespace xiaoan::ctl
