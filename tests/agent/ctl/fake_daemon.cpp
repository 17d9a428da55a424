#include "tests/agent/ctl/fake_daemon.h"

#include <cstdio>
#include <cstdlib>

#include "agent/control/frame.h"

namespace xiaoan::ctl::testing {

FakeDaemon::FakeDaemon(std::string socket_path, Handler handler)
    : handler_(std::move(handler)), listener_(listenWithoutAnswering(socket_path)) {
  thread_ = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon() {
  listener_->wake();
  thread_.join();
}

std::vector<v1::ControlRequest> FakeDaemon::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeDaemon::serve() {
  for (;;) {
    auto conn = listener_->accept();
    if (conn.isOk()) {
      answer(**conn);
    } else if (conn.status().code() == ErrorCode::kCancelled) {
      return;
    }
  }
}

void FakeDaemon::answer(LocalConnection& conn) {
  v1::ControlRequest request;
  if (!control::readFrame(conn, request).isOk()) return;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  if (auto response = handler_(request)) (void)control::writeFrame(conn, *response);
}

std::unique_ptr<LocalListener> listenWithoutAnswering(const std::string& socket_path) {
  auto listener = makeLocalChannel()->listen({.path = socket_path, .mode = 0600, .backlog = 16});
  if (!listener.isOk()) {
    std::fprintf(stderr, "fake daemon: %s\n", listener.status().toString().c_str());
    std::abort();  // a broken test fixture, not a test result
  }
  return std::move(listener).value();
}

v1::ControlResponse statusAnswer(const v1::AgentStatus& status) {
  v1::ControlResponse r;
  *r.mutable_status() = status;
  return r;
}

}  // namespace xiaoan::ctl::testing
