#include "tests/agent/ctl/fake_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "agent/control/frame.h"

namespace xiaoan::ctl::testing {
namespace {

UniqueFd bindAndListen(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), 16) != 0) {
    std::perror("fake daemon: bind/listen");
    std::abort();  // a broken test fixture, not a test result
  }
  return fd;
}

}  // namespace

FakeDaemon::FakeDaemon(std::string socket_path, Handler handler)
    : path_(std::move(socket_path)), handler_(std::move(handler)), listener_(bindAndListen(path_)) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
  stop_read_.reset(fds[0]);
  stop_write_.reset(fds[1]);
  thread_ = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon() {
  const char b = 'x';
  (void)!::write(stop_write_.get(), &b, 1);
  thread_.join();
  ::unlink(path_.c_str());
}

std::vector<v1::ControlRequest> FakeDaemon::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void FakeDaemon::serve() {
  for (;;) {
    pollfd p[2] = {{listener_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) continue;
    if (p[1].revents != 0) return;
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.valid()) answer(conn.get());
  }
}

void FakeDaemon::answer(int fd) {
  v1::ControlRequest request;
  if (!control::readFrame(fd, request).isOk()) return;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  if (auto response = handler_(request)) (void)control::writeFrame(fd, *response);
}

UniqueFd listenWithoutAnswering(const std::string& socket_path) {
  return bindAndListen(socket_path);
}

v1::ControlResponse statusAnswer(const v1::AgentStatus& status) {
  v1::ControlResponse r;
  *r.mutable_status() = status;
  return r;
}

}  // namespace xiaoan::ctl::testing
