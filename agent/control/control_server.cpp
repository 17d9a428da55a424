#include "agent/control/control_server.h"

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
// The refusal fits any fresh socket's buffer; a peer that cannot take it is not waited for.
constexpr std::chrono::milliseconds kRefusalTimeout{50};

std::shared_ptr<spdlog::logger> logger() { return componentLogger(LogComponent::kAgentControl); }

}  // namespace

ControlServer::ControlServer(ControlServerOptions options, ControlHandler& handler,
                             LocalChannel& channel)
    : options_(std::move(options)),
      handler_(handler),
      channel_(channel),
      budget_(options_.limits) {}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::start() {
  const std::string& path = options_.socket_path;
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "empty status socket path");
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) XIAOAN_RETURN_IF_ERROR(makeDirs(parent, 0755));
  XIAOAN_ASSIGN_OR_RETURN(listener_, channel_.listen({.path = path, .mode = kSocketMode}));
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  for (uint32_t i = 0; i < budget_.limits().workers; ++i) {
    workers_.emplace_back([this] { worker(); });
  }
  acceptor_ = std::thread([this] { acceptor(); });
  logger()->info("status socket at {}", path);
  return Status::ok();
}

void ControlServer::stop() {
  if (listener_) listener_->wake();
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  for (auto& a : queue_) budget_.release(a.peer.uid);
  queue_.clear();
  listener_.reset();  // removes the socket
}

uint64_t ControlServer::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void ControlServer::acceptor() {
  for (;;) {
    auto conn = listener_->accept();
    if (conn.isOk()) {
      admit(std::move(conn).value());
      continue;
    }
    if (conn.status().code() == ErrorCode::kCancelled) return;
    logger()->warn("accept: {}", conn.status().toString());
    std::this_thread::sleep_for(kAcceptRetryDelay);
  }
}

// Never blocks on the client: it is admitted (queued for a worker) or refused at once.
void ControlServer::admit(std::unique_ptr<LocalConnection> conn) {
  auto peer = conn->peer();
  if (!peer.isOk()) {
    logger()->warn("peer identity: {}", peer.status().toString());
    return;
  }
  if (!budget_.tryAcquire(peer->uid)) return refuse(*conn, *peer);
  {
    std::lock_guard lock(mu_);
    queue_.push_back({std::move(conn), *peer});
  }
  ready_.notify_one();
}

void ControlServer::refuse(LocalConnection& conn, const PeerIdentity& peer) {
  uint64_t n = 0;
  {
    std::lock_guard lock(mu_);
    n = ++refused_;
  }
  // Logged sparingly: a flood of refusals must not become a flood of log lines.
  if ((n & (n - 1)) == 0) {
    logger()->warn(
        "control connection of uid {} (pid {}) refused: its share of the workers "
        "is taken ({} refused so far)",
        peer.uid, peer.pid, n);
  }
  v1::ControlResponse busy;
  busy.mutable_error()->set_code(std::string(errorCodeName(ErrorCode::kOverloaded)));
  busy.mutable_error()->set_message("too many control connections of this user; retry later");
  (void)writeFrame(conn, busy, deadlineAfter(kRefusalTimeout));
}

void ControlServer::worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Admitted a = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    serve(a);
    a.conn.reset();  // closed before the slot is free again
    budget_.release(a.peer.uid);
    lock.lock();
  }
}

void ControlServer::serve(Admitted& a) {
  v1::ControlRequest request;
  Status st = readFrame(*a.conn, request, kMaxFrameBytes, deadlineAfter(options_.request_timeout));
  if (!st.isOk()) {
    logger()->debug("control request from pid {}: {}", a.peer.pid, st.toString());
    return;
  }
  v1::ControlResponse response = handler_.handle(request, a.peer);
  st = writeFrame(*a.conn, response, deadlineAfter(options_.io_timeout));
  if (!st.isOk()) logger()->debug("control answer to pid {}: {}", a.peer.pid, st.toString());
}

}  // namespace xiaoan::control
