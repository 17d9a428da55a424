#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "platform/local_channel.h"
#include "platform/result.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::control {

// Answers one control request; decides permissions from the peer's identity (which the OS
// vouches for: the peer cannot lie about it).
class ControlHandler {
 public:
  virtual ~ControlHandler() = default;
  virtual v1::ControlResponse handle(const v1::ControlRequest& request,
                                     const PeerIdentity& peer) = 0;
};

struct ControlServerOptions {
  std::string socket_path;
  int workers = 3;  // connections served at once; more wait in the listen backlog
  std::chrono::milliseconds io_timeout{10'000};  // per request: read it, write the answer
};

// The local status socket (control.proto framing from agent/control/frame.h): mode 0666 so
// that any local user can read the status; the handler enforces root for mutations. One
// request per connection. A fixed number of worker threads each accept and serve, so
// concurrency and threads stay bounded whatever local clients do.
class ControlServer {
 public:
  ControlServer(ControlServerOptions options, ControlHandler& handler, LocalChannel& channel);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the parent directory (0755), replaces a stale socket (the caller holds the agent
  // lock, so no live agent owns it), listens, starts the workers.
  Status start();
  // Stops the workers (in-flight requests finish) and removes the socket.
  void stop();

 private:
  void worker();
  void serve(LocalConnection& conn);

  ControlServerOptions options_;
  ControlHandler& handler_;
  LocalChannel& channel_;
  std::unique_ptr<LocalListener> listener_;
  std::vector<std::thread> threads_;
};

}  // namespace xiaoan::control
