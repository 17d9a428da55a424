#include "agent/core/backoff.h"

#include <algorithm>

namespace xiaoan::agent {

using std::chrono::milliseconds;

Backoff::Backoff(BackoffOptions options, uint64_t seed) : options_(options), rng_(seed) {
  options_.initial = std::max(options_.initial, milliseconds(1));
  options_.max = std::max(options_.max, options_.initial);
  options_.floor = std::min(options_.floor, options_.initial);
}

milliseconds Backoff::currentCeiling() const {
  // Doubling saturates long before 2^40; avoid overflow by stopping early.
  const uint32_t shift = std::min<uint32_t>(attempt_, 40);
  const int64_t initial = options_.initial.count();
  const int64_t max = options_.max.count();
  if (shift >= 63 || initial > (max >> shift)) return options_.max;
  return milliseconds(std::min(max, initial << shift));
}

milliseconds Backoff::next(std::optional<std::chrono::seconds> retry_after) {
  const milliseconds ceiling = currentCeiling();
  if (attempt_ < 64) ++attempt_;
  if (retry_after && retry_after->count() > 0) {
    const int64_t base = milliseconds(*retry_after).count();
    std::uniform_int_distribution<int64_t> spread(0, base / 2);
    return milliseconds(base + spread(rng_));
  }
  std::uniform_int_distribution<int64_t> dist(options_.floor.count(), ceiling.count());
  return milliseconds(dist(rng_));
}

uint64_t randomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

milliseconds jitterAround(milliseconds base, double fraction, std::mt19937_64& rng) {
  const double b = static_cast<double>(base.count());
  std::uniform_real_distribution<double> dist(b * (1.0 - fraction), b * (1.0 + fraction));
  return milliseconds(static_cast<int64_t>(dist(rng)));
}

}  // namespace xiaoan::agent
