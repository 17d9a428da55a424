// The pacer's arithmetic and its hold on CPU and reads, on a fake clock and CPU source.
#include "agent/scan/pacer.h"

#include <doctest/doctest.h>

#include <functional>

namespace xiaoan::agent::scan {
namespace {

constexpr uint64_t kMs = 1'000'000;

// Time stands still unless a "scan thread" works or the pacer waits; waiting releases the
// lock like a condition variable does, and may run a hook meanwhile (another thread's turn).
class FakeEnv final : public PacerEnv {
 public:
  uint64_t monotonicNs() const override { return now; }
  uint64_t threadCpuNs() const override { return cpu; }
  void waitFor(std::unique_lock<std::mutex>& lock, std::condition_variable&,
               uint64_t ns) const override {
    ++waits;
    now += ns;
    waited += ns;
    if (on_wait) {
      lock.unlock();
      on_wait();
      lock.lock();
    }
  }
  // A file's worth of work: CPU and the same wall time.
  void work(uint64_t cpu_ns) {
    cpu += cpu_ns;
    now += cpu_ns;
  }
  mutable uint64_t now = 1'000 * kMs, cpu = 0, waited = 0;
  mutable int waits = 0;
  std::function<void()> on_wait;
};

TEST_CASE("budget: no caps never wait") {
  PaceBudget b;
  CHECK(b.charge(0, 10'000 * kMs, 1ull << 30) == 0);
}

TEST_CASE("budget: CPU is worth wall time at the cap, beyond a 200 ms burst") {
  PaceBudget b;
  b.setSettings({25, 0});
  // 100 ms of CPU at 25 % is worth 400 ms of wall time: 200 ms over the burst.
  CHECK(b.charge(1000 * kMs, 100 * kMs, 0) == 200 * kMs);
  // Within the burst: nothing to wait.
  PaceBudget small;
  small.setSettings({25, 0});
  CHECK(small.charge(1000 * kMs, 40 * kMs, 0) == 0);
}

TEST_CASE("budget: reads are paced at MiB/s; the slower resource decides") {
  PaceBudget b;
  b.setSettings({0, 20});
  CHECK(b.charge(0, 0, 20ull << 20) == 800 * kMs);  // 1 s of reading, 200 ms burst
  PaceBudget both;
  both.setSettings({50, 20});
  // CPU 100 ms -> 200 ms (inside the burst); 40 MiB -> 2 s.
  CHECK(both.charge(0, 100 * kMs, 40ull << 20) == 1800 * kMs);
}

TEST_CASE("budget: idle time gives no more credit than the burst") {
  PaceBudget b;
  b.setSettings({10, 0});
  CHECK(b.charge(0, 20 * kMs, 0) == 0);  // 200 ms worth: exactly the burst
  // An hour idle, then a big file: the hour is not saved up.
  const uint64_t later = 3600'000 * kMs;
  CHECK(b.charge(later, 100 * kMs, 0) == 800 * kMs);
}

TEST_CASE("throttle: a busy scan thread is held at the CPU cap") {
  for (uint32_t cap : {10u, 25u, 50u}) {
    CAPTURE(cap);
    FakeEnv env;
    std::atomic<bool> stop{false};
    ThrottlePacer pacer(env, {cap, 0}, stop);
    const uint64_t start_now = env.now;
    for (int file = 0; file < 2000; ++file) {
      REQUIRE(pacer.beforeFile(4096));
      env.work((file % 7 + 1) * kMs);  // files of 1..7 ms of CPU
    }
    const double share =
        100.0 * static_cast<double>(env.cpu) / static_cast<double>(env.now - start_now);
    CHECK(share == doctest::Approx(cap).epsilon(0.05));
    CHECK(pacer.measuredCpuPercent() == doctest::Approx(cap).epsilon(0.10));
    CHECK(pacer.cpuNs() + 7 * kMs >= env.cpu);  // everything but the last file is counted
  }
}

TEST_CASE("throttle: reads are held at the rate") {
  FakeEnv env;
  std::atomic<bool> stop{false};
  ThrottlePacer pacer(env, {0, 10}, stop);
  const uint64_t start_now = env.now;
  for (int file = 0; file < 100; ++file) REQUIRE(pacer.beforeFile(1ull << 20));
  // 100 MiB at 10 MiB/s is 10 s; the thread runs ahead by the 200 ms burst at most.
  const double seconds = static_cast<double>(env.now - start_now) / 1e9;
  CHECK(seconds == doctest::Approx(9.8).epsilon(0.01));
}

TEST_CASE("throttle: a pause holds the thread and gives no credit; stop ends it") {
  FakeEnv env;
  std::atomic<bool> stop{false};
  ThrottlePacer pacer(env, {25, 0}, stop);
  REQUIRE(pacer.beforeFile(0));
  pacer.setPaused(true);
  CHECK(pacer.paused());
  env.on_wait = [&] {
    if (env.waits == 30) pacer.setPaused(false);
  };
  env.work(50 * kMs);
  REQUIRE(pacer.beforeFile(0));
  CHECK(env.waits >= 30);
  CHECK_FALSE(pacer.paused());
  // 30 s of pause saved nothing up: the next 100 ms of CPU waits as after no pause.
  env.on_wait = nullptr;
  const uint64_t before = env.waited;
  env.work(100 * kMs);
  REQUIRE(pacer.beforeFile(0));
  CHECK(env.waited - before >= 200 * kMs);

  stop = true;
  CHECK_FALSE(pacer.beforeFile(0));
  pacer.setPaused(true);
  CHECK_FALSE(pacer.beforeFile(0));  // paused and stopping: gives up at once
}

TEST_CASE("throttle: settings change on the fly") {
  FakeEnv env;
  std::atomic<bool> stop{false};
  ThrottlePacer pacer(env, {0, 0}, stop);
  REQUIRE(pacer.beforeFile(0));
  env.work(500 * kMs);
  REQUIRE(pacer.beforeFile(0));
  CHECK(env.waits == 0);  // uncapped
  pacer.setSettings({50, 0});
  env.work(500 * kMs);
  REQUIRE(pacer.beforeFile(0));
  CHECK(env.waited >= 700 * kMs);  // 500 ms at 50 % is 1 s, minus the burst
}

TEST_CASE("system env: thread CPU time moves with work and not with sleep") {
  SystemPacerEnv env;
  const uint64_t cpu0 = env.threadCpuNs(), mono0 = env.monotonicNs();
  volatile uint64_t x = 0;
  while (env.threadCpuNs() - cpu0 < 20 * kMs) x = x + 1;
  CHECK(env.threadCpuNs() > cpu0);
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  const uint64_t cpu1 = env.threadCpuNs();
  env.waitFor(lock, cv, 50 * kMs);
  CHECK(env.threadCpuNs() - cpu1 < 20 * kMs);
  CHECK(env.monotonicNs() > mono0);
}

}  // namespace
}  // namespace xiaoan::agent::scan
