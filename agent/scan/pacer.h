#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "agent/scan/scan_engine.h"

// Background scans must keep a teacher's PC usable (issue 4: a CPU cap in percent of one core,
// default 25 %, and read pacing). The engine calls Pacer::beforeFile on each scan thread before
// each file; ThrottlePacer measures the CPU time the scan threads really used
// (CLOCK_THREAD_CPUTIME_ID of each calling thread, so the rest of the agent does not count) and
// makes them sleep so that, over time, CPU / wall time stays at the cap.

namespace xiaoan::agent::scan {

// Time and CPU readings of the pacer, and its waits; faked in tests.
class PacerEnv {
 public:
  virtual ~PacerEnv() = default;
  virtual uint64_t monotonicNs() const = 0;
  // CPU time used by the calling thread so far.
  virtual uint64_t threadCpuNs() const = 0;
  // Waits up to `ns` on `cv` (which notify() ends early); `lock` holds the cv's mutex.
  virtual void waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                       uint64_t ns) const = 0;
};

// CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID and real waits.
class SystemPacerEnv final : public PacerEnv {
 public:
  uint64_t monotonicNs() const override;
  uint64_t threadCpuNs() const override;
  void waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
               uint64_t ns) const override;
};

struct PacerSettings {
  uint32_t cpu_percent = 0;        // of one core, summed over the scan threads; 0 = no cap
  uint32_t io_mib_per_second = 0;  // bytes read per second; 0 = unpaced
};

// The arithmetic of pacing (no clock, no threads): a virtual "theoretical arrival time" per
// resource (GCRA). Each charge moves it by the wall time the cost is worth at the allowed rate
// (CPU: cpu_ns * 100 / percent; reads: bytes / rate); the caller waits while it is ahead of
// now by more than the burst tolerance. Idle time gives no more credit than the tolerance.
class PaceBudget {
 public:
  static constexpr uint64_t kBurstNs = 200'000'000;  // 200 ms

  void setSettings(const PacerSettings& settings) { settings_ = settings; }
  const PacerSettings& settings() const { return settings_; }
  // Charges `cpu_ns` just used and `bytes` about to be read at `now_ns`; returns how long to
  // wait before going on.
  uint64_t charge(uint64_t now_ns, uint64_t cpu_ns, uint64_t bytes);

 private:
  static uint64_t advance(uint64_t& tat, uint64_t now_ns, uint64_t cost_ns);

  PacerSettings settings_;
  uint64_t cpu_tat_ = 0, io_tat_ = 0;
};

// The engine's Pacer for background scans. Also blocks while paused (user active, outside the
// time window) and gives up (false) once `stop` is set. Thread-safe.
class ThrottlePacer final : public Pacer {
 public:
  ThrottlePacer(const PacerEnv& env, PacerSettings settings, const std::atomic<bool>& stop);

  bool beforeFile(uint64_t bytes) override;

  void setSettings(const PacerSettings& settings);
  void setPaused(bool paused);
  bool paused() const;
  // Wakes waiting scan threads (after `stop` was set).
  void wake();

  // CPU of the scan threads in percent of one core over the last measured interval (about
  // kSampleNs), and in total.
  double measuredCpuPercent() const;
  uint64_t cpuNs() const;

  static constexpr uint64_t kSampleNs = 2'000'000'000;

 private:
  uint64_t takeThreadCpu();  // CPU of the calling thread since its last call (mu_ held)
  void sample(uint64_t now_ns);

  const PacerEnv& env_;
  const std::atomic<bool>& stop_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  PaceBudget budget_;
  bool paused_ = false;
  std::map<std::thread::id, uint64_t> last_cpu_;
  uint64_t cpu_total_ns_ = 0;
  uint64_t sample_at_ns_ = 0, sample_cpu_ns_ = 0;
  double measured_percent_ = 0;
};

}  // namespace xiaoan::agent::scan
