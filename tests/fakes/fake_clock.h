#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "platform/clock.h"

namespace xiaoan::testing {

// The Clock fake for every suite: time stands still unless the test moves it. Wall and
// monotonic time advance together; thread-safe, so daemon threads may read it.
class FakeClock final : public Clock {
 public:
  // Starts at `start` (default: a fixed instant, 2027-01-15, so outputs are reproducible).
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)))
      : wall_(start.time_since_epoch().count()) {}

  // A clock that starts at the real current time (certificates, tokens checked by OpenSSL).
  static std::chrono::system_clock::time_point realNow() {
    return std::chrono::system_clock::now();
  }

  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(wall_.load()));
  }
  uint64_t monotonicNs() const override { return mono_ns_.load(); }

  void advance(std::chrono::nanoseconds d) {
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d).count();
    mono_ns_ += static_cast<uint64_t>(d.count());
  }

 private:
  std::atomic<std::chrono::system_clock::duration::rep> wall_;
  std::atomic<uint64_t> mono_ns_{1000};
};

}  // namespace xiaoan::testing
