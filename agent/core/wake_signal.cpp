#include "agent/core/wake_signal.h"

namespace xiaoan::agent {

void WakeSignal::notify(uint32_t bits) {
  uint32_t raised = 0;
  {
    std::lock_guard lock(mu_);
    raised = bits & ~bits_;
    bits_ |= bits;
  }
  // A bit that was already up cannot be awaited by anyone (they would have returned), so
  // only a newly raised bit needs a wake-up: a burst of appends costs one, not one each.
  if (raised != 0) cv_.notify_all();
}

bool WakeSignal::stopped() const {
  std::lock_guard lock(mu_);
  return (bits_ & kStop) != 0;
}

uint32_t WakeSignal::waitFor(uint32_t mask, std::chrono::nanoseconds timeout) {
  const uint32_t want = mask | kStop;
  std::unique_lock lock(mu_);
  // wait_until on steady_clock: immune to wall-clock jumps.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  cv_.wait_until(lock, deadline, [&] { return (bits_ & want) != 0; });
  const uint32_t seen = bits_ & want;
  bits_ &= ~(seen & ~kStop);
  return seen;
}

}  // namespace xiaoan::agent
