#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "platform/result.h"
#include "platform/unique_fd.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::agent {

// Who is on the other end of a control connection (SO_PEERCRED: the kernel says, the peer
// cannot lie).
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// Answers one control request; decides permissions from the peer's credentials.
class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  virtual v1::ControlResponse handle(const v1::ControlRequest& request,
                                     const PeerCredentials& peer) = 0;
};

struct ControlServerOptions {
  std::string socket_path;
  int workers = 3;  // connections served at once; more wait in the listen backlog
  std::chrono::milliseconds io_timeout{10'000};
};

// The local status socket (control.proto framing from agent/control/frame.h): mode 0666 so
// that any local user can read the status; the handler enforces root for mutations. One
// request per connection. A fixed number of worker threads each accept and serve, so
// concurrency and threads stay bounded whatever local clients do.
class ControlServer {
 public:
  ControlServer(ControlServerOptions options, ControlHandler& handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the parent directory (0755), replaces a stale socket, binds, listens, starts the
  // workers.
  Status start();
  // Stops the workers (in-flight requests finish) and removes the socket file.
  void stop();

 private:
  Status bindSocket();
  void worker();
  void serve(UniqueFd conn);

  ControlServerOptions options_;
  ControlHandler& handler_;
  UniqueFd listen_fd_;
  UniqueFd stop_fd_;  // eventfd: readable once stop() was called
  std::vector<std::thread> threads_;
};

}  // namespace xiaoan::agent
