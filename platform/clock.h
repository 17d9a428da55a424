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

// CPU time used so far by the calling thread / by this process, in nanoseconds (0 when the
// OS cannot say).
uint64_t threadCpuTimeNs();
uint64_t processCpuTimeNs();
// Monotonic nanoseconds that stop during suspend (CLOCK_MONOTONIC): for pacing work.
uint64_t steadyNs();

// This machine's local time zone (the one the admin set on the PC).
struct LocalTime {
  int year = 1970, month = 1, day = 1;  // calendar date
  int hour = 0, minute = 0, second = 0;
  int weekday = 4;                 // 0 = Sunday
  int64_t utc_offset_seconds = 0;  // local - UTC at that instant
};
LocalTime toLocalTime(std::chrono::system_clock::time_point t);

}  // namespace xiaoan
