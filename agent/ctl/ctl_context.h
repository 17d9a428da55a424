#pragma once

#include <string>

#include "agent/ctl/command_table.h"
#include "agent/ctl/ctl_io.h"
#include "platform/error_code.h"

namespace xiaoan::ctl {

// What a command runs with: the injected world plus the resolved global options.
struct CtlContext {
  const CtlIo& io;
  const CommandTable& table;
  Lang lang = Lang::kZhCn;
  bool json = false;
  std::string socket_path;  // resolved: --socket, else config status_socket, else default
  std::string state_dir;    // resolved: config state_dir, else default

  std::ostream& out() const { return *io.out; }
  std::ostream& err() const { return *io.err; }
};

// Prints "E_CODE: <line in the user's language> (<detail>)" to stderr.
void printError(const CtlContext& ctx, const Status& status);

}  // namespace xiaoan::ctl
