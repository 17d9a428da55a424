#include "agent/ctl/daemon_client.h"

#include "agent/control/frame.h"

namespace xiaoan::ctl {

Result<v1::ControlResponse> callDaemon(const std::string& socket_path,
                                       const v1::ControlRequest& request,
                                       std::chrono::milliseconds timeout) {
  const control::Deadline deadline = control::deadlineAfter(timeout);
  XIAOAN_ASSIGN_OR_RETURN(UniqueFd fd, control::connectUnixSocket(socket_path, timeout));
  XIAOAN_RETURN_IF_ERROR(control::writeFrame(fd.get(), request, deadline));
  v1::ControlResponse response;
  XIAOAN_RETURN_IF_ERROR(control::readFrame(fd.get(), response, control::kMaxFrameBytes, deadline));
  return response;
}

}  // namespace xiaoan::ctl
