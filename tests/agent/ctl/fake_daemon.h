#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/local_channel.h"
#include "xiaoan/v1/control.pb.h"

namespace xiaoan::ctl::testing {

// A tiny agent stand-in on a real local socket: answers each connection's ControlRequest with
// whatever the handler returns, using the real frame code. The handler returning nullopt
// closes the connection without an answer.
class FakeDaemon {
 public:
  using Handler = std::function<std::optional<v1::ControlResponse>(const v1::ControlRequest&)>;

  FakeDaemon(std::string socket_path, Handler handler);
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  // Requests received so far.
  std::vector<v1::ControlRequest> requests() const;

 private:
  void serve();
  void answer(LocalConnection& conn);

  Handler handler_;
  std::unique_ptr<LocalListener> listener_;
  mutable std::mutex mu_;
  std::vector<v1::ControlRequest> requests_;
  std::thread thread_;
};

// A socket that accepts connections into its backlog but never answers (a hung daemon).
std::unique_ptr<LocalListener> listenWithoutAnswering(const std::string& socket_path);

// A ControlResponse carrying `status`.
v1::ControlResponse statusAnswer(const v1::AgentStatus& status);

}  // namespace xiaoan::ctl::testing
