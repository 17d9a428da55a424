#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace xiaoan::agent {

struct BackoffOptions {
  std::chrono::milliseconds initial{1000};  // upper bound of the first delay
  std::chrono::milliseconds max{600'000};   // upper bound of every delay (without Retry-After)
  std::chrono::milliseconds floor{100};     // never retry sooner than this
};

// Exponential backoff with full jitter (delay uniform in [floor, min(max, initial * 2^n)]), so
// that thousands of agents that lost the collector at the same moment do not come back in
// lock-step. A server's Retry-After is a lower bound: the delay is then Retry-After plus up to
// half of it again, spreading the herd the server asked to wait. Not thread-safe.
class Backoff {
 public:
  Backoff(BackoffOptions options, uint64_t seed);

  // Delay before the next attempt after a failure; each call widens the window.
  std::chrono::milliseconds next(std::optional<std::chrono::seconds> retry_after = std::nullopt);
  // After a success: start again from `initial`.
  void reset() { attempt_ = 0; }
  uint32_t attempts() const { return attempt_; }
  // Upper bound of the window the next call draws from (without Retry-After).
  std::chrono::milliseconds currentCeiling() const;

 private:
  BackoffOptions options_;
  std::mt19937_64 rng_;
  uint32_t attempt_ = 0;
};

// A seed for production use (OS randomness).
uint64_t randomSeed();

// Uniformly spreads `base` by +-fraction (e.g. check-in interval +-20 %).
std::chrono::milliseconds jitterAround(std::chrono::milliseconds base, double fraction,
                                       std::mt19937_64& rng);

}  // namespace xiaoan::agent
