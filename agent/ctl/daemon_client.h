#pragma once

#include <chrono>
#include <string>

#include "platform/result.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::ctl {

// One request/response exchange with the agent over its control socket, all within
// `timeout`. Socket absent or refused -> E_DAEMON_NOT_RUNNING; socket not accessible ->
// E_PERMISSION_DENIED; no answer in time -> E_TIMEOUT; garbage -> E_PROTOCOL. An answer that
// carries ControlResponse.error is returned as is: the caller decides what it means.
Result<v1::ControlResponse> callDaemon(const std::string& socket_path,
                                       const v1::ControlRequest& request,
                                       std::chrono::milliseconds timeout);

}  // namespace xiaoan::ctl
