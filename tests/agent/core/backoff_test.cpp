#include "agent/core/backoff.h"

#include <doctest/doctest.h>

#include <set>

namespace xiaoan::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("delays stay within a window that doubles up to the cap") {
  Backoff b({milliseconds(1000), milliseconds(16'000), milliseconds(100)}, 42);
  const int64_t ceilings[] = {1000, 2000, 4000, 8000, 16000, 16000, 16000};
  for (int64_t ceiling : ceilings) {
    CHECK(b.currentCeiling().count() == ceiling);
    auto d = b.next();
    CHECK(d.count() >= 100);
    CHECK(d.count() <= ceiling);
  }
  CHECK(b.attempts() == 7);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.currentCeiling().count() == 1000);
}

TEST_CASE("full jitter spreads delays over the whole window") {
  // 2000 agents failing at once must not come back together.
  std::set<int64_t> seen;
  int64_t lowest = 1'000'000, highest = 0;
  for (uint64_t seed = 0; seed < 2000; ++seed) {
    Backoff b({milliseconds(1000), milliseconds(600'000), milliseconds(100)}, seed);
    for (int i = 0; i < 6; ++i) b.next();  // window now 64 s
    const int64_t d = b.next().count();
    seen.insert(d / 1000);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  CHECK(lowest < 5'000);
  CHECK(highest > 59'000);
  CHECK(seen.size() > 50);  // spread over most one-second buckets
}

TEST_CASE("the same seed gives the same sequence") {
  Backoff a({milliseconds(500), milliseconds(60'000), milliseconds(10)}, 7);
  Backoff b({milliseconds(500), milliseconds(60'000), milliseconds(10)}, 7);
  Backoff c({milliseconds(500), milliseconds(60'000), milliseconds(10)}, 8);
  bool differs = false;
  for (int i = 0; i < 20; ++i) {
    auto x = a.next(), y = b.next(), z = c.next();
    CHECK(x == y);
    differs = differs || x != z;
  }
  CHECK(differs);
}

TEST_CASE("Retry-After is a lower bound, spread by up to half again") {
  Backoff b({milliseconds(1000), milliseconds(10'000), milliseconds(100)}, 3);
  for (int i = 0; i < 50; ++i) {
    auto d = b.next(seconds(30));
    CHECK(d >= seconds(30));
    CHECK(d <= seconds(45));
  }
  // Retry-After beyond the cap is still honoured.
  CHECK(b.next(seconds(120)) >= seconds(120));
  // A zero Retry-After falls back to the normal window.
  CHECK(b.next(seconds(0)) <= milliseconds(10'000));
}

TEST_CASE("huge attempt counts do not overflow") {
  Backoff b({milliseconds(1), milliseconds(600'000), milliseconds(0)}, 1);
  for (int i = 0; i < 200; ++i) CHECK(b.next() <= milliseconds(600'000));
  CHECK(b.currentCeiling() == milliseconds(600'000));
}

TEST_CASE("jitterAround stays within +-fraction") {
  std::mt19937_64 rng(5);
  int64_t lo = 1'000'000, hi = 0;
  for (int i = 0; i < 1000; ++i) {
    auto d = jitterAround(seconds(60), 0.2, rng).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  CHECK(lo >= 48'000);
  CHECK(hi <= 72'000);
  CHECK(hi - lo > 20'000);
}

}  // namespace
}  // namespace xiaoan::agent
