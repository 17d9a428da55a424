#pragma once

#include <chrono>
#include <cstdint>

namespace xiaoan {

// Time source, injected so that tests can drive time.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall clock (may jump).
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic nanoseconds (CLOCK_BOOTTIME where available: keeps counting in suspend).
  virtual uint64_t monotonicNs() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  uint64_t monotonicNs() const override;
};

}  // namespace xiaoan
