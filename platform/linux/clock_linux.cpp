#include <time.h>

#include "platform/clock.h"

namespace xiaoan {
namespace {

uint64_t readClock(clockid_t id) {
  timespec ts{};
  if (::clock_gettime(id, &ts) != 0) return 0;
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

std::chrono::system_clock::time_point SystemClock::now() const {
  return std::chrono::system_clock::now();
}

uint64_t SystemClock::monotonicNs() const { return readClock(CLOCK_BOOTTIME); }

uint64_t threadCpuTimeNs() { return readClock(CLOCK_THREAD_CPUTIME_ID); }
uint64_t processCpuTimeNs() { return readClock(CLOCK_PROCESS_CPUTIME_ID); }
uint64_t steadyNs() { return readClock(CLOCK_MONOTONIC); }

LocalTime toLocalTime(std::chrono::system_clock::time_point t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  LocalTime out;
  if (::localtime_r(&secs, &tm) == nullptr) return out;
  out.year = tm.tm_year + 1900;
  out.month = tm.tm_mon + 1;
  out.day = tm.tm_mday;
  out.hour = tm.tm_hour;
  out.minute = tm.tm_min;
  out.second = tm.tm_sec;
  out.weekday = tm.tm_wday;
  out.utc_offset_seconds = tm.tm_gmtoff;
  return out;
}

}  // namespace xiaoan
