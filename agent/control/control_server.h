#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/control/connection_budget.h"
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
  // Workers, and connections admitted per user (connection_budget.h).
  ConnectionLimits limits{};
  // A client must send its whole request frame within this time of a worker taking it up, or
  // it is cut: a slow or silent client holds a worker this long at most.
  std::chrono::milliseconds request_timeout{2'000};
  std::chrono::milliseconds io_timeout{10'000};  // to write the answer
};

// The local status socket (control.proto framing from agent/control/frame.h): mode 0666 so
// that any local user can read the status; the handler enforces root for mutations. One
// request per connection. One thread accepts, learns the peer's uid from the OS and admits the
// connection within the ConnectionBudget, else answers E_OVERLOADED at once and closes it; a
// fixed set of workers serves the admitted ones in order. So threads stay bounded, one user's
// clients cannot take every worker, and root's requests always find one.
class ControlServer {
 public:
  ControlServer(ControlServerOptions options, ControlHandler& handler, LocalChannel& channel);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the parent directory (0755), replaces a stale socket (the caller holds the agent
  // lock, so no live agent owns it), listens, starts the acceptor and the workers.
  Status start();
  // Stops the threads (in-flight requests finish), drops admitted connections not served yet
  // and removes the socket.
  void stop();

  // Connections refused so far because their user's share was taken (status, tests).
  uint64_t refused() const;

 private:
  struct Admitted {
    std::unique_ptr<LocalConnection> conn;
    PeerIdentity peer;
  };
  void acceptor();
  void admit(std::unique_ptr<LocalConnection> conn);
  void refuse(LocalConnection& conn, const PeerIdentity& peer);
  void worker();
  void serve(Admitted& a);

  ControlServerOptions options_;
  ControlHandler& handler_;
  LocalChannel& channel_;
  ConnectionBudget budget_;
  std::unique_ptr<LocalListener> listener_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Admitted> queue_;  // admitted, waiting for a worker
  bool stopping_ = false;
  uint64_t refused_ = 0;
};

}  // namespace xiaoan::control
