#include "agent/ctl/daemon_client.h"

#include "agent/control/frame.h"
#include "platform/local_channel.h"

namespace xiaoan::ctl {

Result<v1::ControlResponse> callDaemon(const std::string& socket_path,
                                       const v1::ControlRequest& request,
                                       std::chrono::milliseconds timeout) {
  const control::Deadline deadline = control::deadlineAfter(timeout);
  const auto channel = makeLocalChannel();
  XIAOAN_ASSIGN_OR_RETURN(auto conn, control::connectToAgent(*channel, socket_path, timeout));
  v1::ControlResponse response;
  XIAOAN_RETURN_IF_ERROR(control::exchangeFrames(*conn, request, response, deadline));
  return response;
}

}  // namespace xiaoan::ctl
