#pragma once

#include <atomic>
#include <chrono>

#include "platform/clock.h"

namespace xiaoan::collector::testing {

// Wall clock that starts at the real time and moves only when told to.
class FakeClock final : public Clock {
 public:
  FakeClock() : now_ns_(std::chrono::system_clock::now().time_since_epoch().count()) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(
        std::chrono::system_clock::duration(now_ns_.load()));
  }
  uint64_t monotonicNs() const override { return static_cast<uint64_t>(now_ns_.load()); }
  void advance(std::chrono::system_clock::duration d) { now_ns_ += d.count(); }

 private:
  std::atomic<std::chrono::system_clock::duration::rep> now_ns_;
};

}  // namespace xiaoan::collector::testing
