#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace xiaoan::agent {

// Interruptible waits for a worker thread. Other threads raise reason bits (new events,
// connection recovered, ...); the worker waits for the bits it cares about right now, so that
// e.g. a backoff wait is not cut short by new events but is by a recovered connection.
// Stop is sticky and ends every wait. Thread-safe.
class WakeSignal {
 public:
  static constexpr uint32_t kStop = 1u << 31;

  // Raises `bits` and wakes waiters.
  void notify(uint32_t bits);
  // Requests stop: every current and future wait returns at once.
  void stop() { notify(kStop); }
  bool stopped() const;

  // Waits until a bit of `mask` is raised, stop, or `timeout`. Returns the raised bits of
  // `mask` (now cleared) plus kStop when stopping; 0 on time-out.
  uint32_t waitFor(uint32_t mask, std::chrono::nanoseconds timeout);

  // Sleeps for `timeout` unless stopped first; true when stopped.
  bool sleepFor(std::chrono::nanoseconds timeout) { return (waitFor(0, timeout) & kStop) != 0; }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint32_t bits_ = 0;
};

}  // namespace xiaoan::agent
