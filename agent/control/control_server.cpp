#include "agent/control/control_server.h"

#include <algorithm>
#include <filesystem>

#include "agent/control/frame.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::control {
namespace {

// Everyone may read the status; mutations are checked per request against the peer identity.
constexpr uint32_t kSocketMode = 0666;
// After an accept() failure of the OS (out of descriptors...): wait before trying again
// rather than spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

}  // namespace

ControlServer::ControlServer(ControlServerOptions options, ControlHandler& handler,
                             LocalChannel& channel)
    : options_(std::move(options)), handler_(handler), channel_(channel) {}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::start() {
  const std::string& path = options_.socket_path;
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "empty status socket path");
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) XIAOAN_RETURN_IF_ERROR(makeDirs(parent, 0755));
  XIAOAN_ASSIGN_OR_RETURN(listener_, channel_.listen({.path = path, .mode = kSocketMode}));
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    threads_.emplace_back([this] { worker(); });
  }
  componentLogger(LogComponent::kAgentControl)->info("status socket at {}", path);
  return Status::ok();
}

void ControlServer::stop() {
  if (listener_) listener_->wake();
  for (auto& t : threads_) t.join();
  threads_.clear();
  listener_.reset();  // removes the socket
}

void ControlServer::worker() {
  for (;;) {
    auto conn = listener_->accept();
    if (conn.isOk()) {
      serve(**conn);
      continue;
    }
    if (conn.status().code() == ErrorCode::kCancelled) return;
    componentLogger(LogComponent::kAgentControl)->warn("accept: {}", conn.status().toString());
    std::this_thread::sleep_for(kAcceptRetryDelay);
  }
}

void ControlServer::serve(LocalConnection& conn) {
  auto log = componentLogger(LogComponent::kAgentControl);
  auto peer = conn.peer();
  if (!peer.isOk()) {
    log->warn("peer identity: {}", peer.status().toString());
    return;
  }
  v1::ControlRequest request;
  Status st = readFrame(conn, request, kMaxFrameBytes, deadlineAfter(options_.io_timeout));
  if (!st.isOk()) {
    log->debug("control request from pid {}: {}", peer->pid, st.toString());
    return;
  }
  v1::ControlResponse response = handler_.handle(request, *peer);
  st = writeFrame(conn, response, deadlineAfter(options_.io_timeout));
  if (!st.isOk()) log->debug("control answer to pid {}: {}", peer->pid, st.toString());
}

}  // namespace xiaoan::control
