#include "agent/scan/pacer.h"

#include "platform/clock.h"

#include <algorithm>

namespace xiaoan::agent::scan {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000ull;
constexpr uint64_t kMiB = 1ull << 20;

}  // namespace

uint64_t SystemPacerEnv::monotonicNs() const { return steadyNs(); }

uint64_t SystemPacerEnv::threadCpuNs() const { return threadCpuTimeNs(); }

void SystemPacerEnv::waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                             uint64_t ns) const {
  cv.wait_for(lock, std::chrono::nanoseconds(ns));
}

uint64_t PaceBudget::advance(uint64_t& tat, uint64_t now_ns, uint64_t cost_ns) {
  tat = std::max(tat, now_ns) + cost_ns;
  const uint64_t ahead = tat - now_ns;
  return ahead > kBurstNs ? ahead - kBurstNs : 0;
}

uint64_t PaceBudget::charge(uint64_t now_ns, uint64_t cpu_ns, uint64_t bytes) {
  uint64_t wait = 0;
  if (settings_.cpu_percent > 0) {
    wait = advance(cpu_tat_, now_ns, cpu_ns * 100 / settings_.cpu_percent);
  }
  if (settings_.io_mib_per_second > 0) {
    // bytes * 1e9 / (rate * MiB) without overflow for files up to many TiB.
    const long double cost =
        static_cast<long double>(bytes) * kNsPerSecond / (settings_.io_mib_per_second * kMiB);
    wait = std::max(wait, advance(io_tat_, now_ns, static_cast<uint64_t>(cost)));
  }
  return wait;
}

ThrottlePacer::ThrottlePacer(const PacerEnv& env, PacerSettings settings,
                             const std::atomic<bool>& stop)
    : env_(env), stop_(stop) {
  budget_.setSettings(settings);
  sample_at_ns_ = env_.monotonicNs();
}

uint64_t ThrottlePacer::takeThreadCpu() {
  const uint64_t now_cpu = env_.threadCpuNs();
  auto [it, first] = last_cpu_.try_emplace(std::this_thread::get_id(), now_cpu);
  const uint64_t used = first || now_cpu < it->second ? 0 : now_cpu - it->second;
  it->second = now_cpu;
  return used;
}

void ThrottlePacer::sample(uint64_t now_ns) {
  if (now_ns < sample_at_ns_ + kSampleNs) return;
  measured_percent_ = 100.0 * static_cast<double>(cpu_total_ns_ - sample_cpu_ns_) /
                      static_cast<double>(now_ns - sample_at_ns_);
  sample_at_ns_ = now_ns;
  sample_cpu_ns_ = cpu_total_ns_;
}

bool ThrottlePacer::beforeFile(uint64_t bytes) {
  std::unique_lock lock(mu_);
  const uint64_t used = takeThreadCpu();
  cpu_total_ns_ += used;
  uint64_t now = env_.monotonicNs();
  sample(now);
  // Paused time is not a budget: charge after the pause, so a long pause gives no burst.
  while (paused_ && !stop_.load()) env_.waitFor(lock, cv_, kNsPerSecond);
  if (stop_.load()) return false;
  now = env_.monotonicNs();
  const uint64_t until = now + budget_.charge(now, used, bytes);
  while (!stop_.load() && (now = env_.monotonicNs()) < until) env_.waitFor(lock, cv_, until - now);
  // The sleep itself used no CPU: restart this thread's reading after it.
  last_cpu_[std::this_thread::get_id()] = env_.threadCpuNs();
  return !stop_.load();
}

void ThrottlePacer::setSettings(const PacerSettings& settings) {
  std::lock_guard lock(mu_);
  budget_.setSettings(settings);
}

void ThrottlePacer::setPaused(bool paused) {
  {
    std::lock_guard lock(mu_);
    paused_ = paused;
  }
  cv_.notify_all();
}

bool ThrottlePacer::paused() const {
  std::lock_guard lock(mu_);
  return paused_;
}

void ThrottlePacer::wake() {
  // Taking the lock orders the caller's stop flag before a waiter's check-then-wait: without
  // it a thread about to sleep its pacing delay (minutes) misses the wake-up.
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

double ThrottlePacer::measuredCpuPercent() const {
  std::lock_guard lock(mu_);
  return measured_percent_;
}

uint64_t ThrottlePacer::cpuNs() const {
  std::lock_guard lock(mu_);
  return cpu_total_ns_;
}

}  // namespace xiaoan::agent::scan
