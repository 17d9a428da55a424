#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "agent/ctl/command_table.h"
#include "agent/ctl/ctl_io.h"
#include "platform/error_code.h"
#include "platform/result.h"
#include "xiaoan/v1/control.pb.h"

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

// One exchange of a command with the daemon. On failure — transport (exit code as
// exitCodeFor) or a refusal in ControlResponse.error (4 for E_PERMISSION_DENIED, else 5) — the
// error is printed, `*exit_code` set and nullopt returned.
std::optional<v1::ControlResponse> askDaemon(const CtlContext& ctx,
                                             const v1::ControlRequest& request,
                                             std::chrono::milliseconds timeout, int* exit_code);

// Prints `message` as stable JSON: 0, or 5 (with the error printed) when it cannot.
int printJson(const CtlContext& ctx, const google::protobuf::Message& message);

}  // namespace xiaoan::ctl
