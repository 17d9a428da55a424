#include "agent/core/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/control/frame.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {

ControlServer::ControlServer(ControlServerOptions options, ControlHandler& handler)
    : options_(std::move(options)), handler_(handler) {}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::bindSocket() {
  const std::string& path = options_.socket_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return Status(ErrorCode::kInvalidArgument, "bad status socket path '" + path + "'");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) XIAOAN_RETURN_IF_ERROR(makeDirs(parent, 0755));
  struct stat sb {};
  if (::lstat(path.c_str(), &sb) == 0) {
    // We hold the agent lock, so a socket left here is stale; anything else is not ours.
    if (!S_ISSOCK(sb.st_mode)) {
      return Status(ErrorCode::kIo, path + " exists and is not a socket; not replacing it");
    }
    if (::unlink(path.c_str()) != 0) return errnoStatus(ErrorCode::kIo, "unlink " + path);
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errnoStatus(ErrorCode::kIo, "socket(AF_UNIX)");
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return errnoStatus(ErrorCode::kIo, "bind " + path);
  }
  listen_fd_ = std::move(fd);  // from here on the socket file is ours to remove
  // Everyone may read the status; mutations are checked per request with SO_PEERCRED.
  if (::chmod(path.c_str(), 0666) != 0) return errnoStatus(ErrorCode::kIo, "chmod " + path);
  if (::listen(listen_fd_.get(), 64) != 0) return errnoStatus(ErrorCode::kIo, "listen " + path);
  return Status::ok();
}

Status ControlServer::start() {
  stop_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_fd_.valid()) return errnoStatus(ErrorCode::kIo, "eventfd");
  XIAOAN_RETURN_IF_ERROR(bindSocket());
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    threads_.emplace_back([this] { worker(); });
  }
  componentLogger(LogComponent::kAgentControl)->info("status socket at {}", options_.socket_path);
  return Status::ok();
}

void ControlServer::stop() {
  if (stop_fd_.valid()) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_fd_.get(), &one, sizeof one);
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (listen_fd_.valid()) {
    listen_fd_.reset();
    ::unlink(options_.socket_path.c_str());
  }
}

void ControlServer::worker() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
    int rc = ::poll(fds, 2, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      componentLogger(LogComponent::kAgentControl)->error("poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    UniqueFd conn(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;  // another worker took it, or the client left
    serve(std::move(conn));
  }
}

void ControlServer::serve(UniqueFd conn) {
  auto log = componentLogger(LogComponent::kAgentControl);
  PeerCredentials peer;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(conn.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    log->warn("SO_PEERCRED: {}", std::strerror(errno));
    return;
  }
  peer = {cred.pid, cred.uid, cred.gid};
  v1::ControlRequest request;
  Status st = control::readFrame(conn.get(), request, control::kMaxFrameBytes,
                                 control::deadlineAfter(options_.io_timeout));
  if (!st.isOk()) {
    log->debug("control request from pid {}: {}", peer.pid, st.toString());
    return;
  }
  v1::ControlResponse response = handler_.handle(request, peer);
  st = control::writeFrame(conn.get(), response, control::deadlineAfter(options_.io_timeout));
  if (!st.isOk()) log->debug("control answer to pid {}: {}", peer.pid, st.toString());
}

}  // namespace xiaoan::agent
