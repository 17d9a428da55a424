#include "service/collector/agent_api/enroll_rate_limiter.h"

#include <doctest/doctest.h>

#include "tests/fakes/fake_clock.h"

namespace xiaoan::collector {
namespace {

using xiaoan::testing::FakeClock;
using namespace std::chrono_literals;

constexpr uint64_t kSecond = 1'000'000'000;

TEST_CASE("a token bucket admits its burst, then its rate, and says how long to wait") {
  TokenBuckets b(RateLimit{0.5, 3}, 100);
  for (int i = 0; i < 3; ++i) CHECK(b.take("k", 0).count() == 0);
  CHECK(b.take("k", 0) == 2000ms);        // one every 2 s
  CHECK(b.take("k", kSecond) == 1000ms);  // half refilled
  CHECK(b.take("k", 2 * kSecond).count() == 0);
  CHECK(b.take("k", 2 * kSecond).count() > 0);
  // Refills never exceed the burst.
  for (int i = 0; i < 3; ++i) CHECK(b.take("k", 1000 * kSecond).count() == 0);
  CHECK(b.take("k", 1000 * kSecond).count() > 0);
  // Other keys have their own buckets.
  CHECK(b.take("other", 1000 * kSecond).count() == 0);
}

TEST_CASE("the table stays bounded under a flood of new keys; the least recently used goes") {
  TokenBuckets b(RateLimit{0, 1}, 64);
  CHECK(b.take("victim", 0).count() == 0);
  CHECK(b.take("victim", 0).count() > 0);
  for (int i = 0; i < 100'000; ++i) b.take("k" + std::to_string(i), 0);
  CHECK(b.size() == 64);
  // The recently used stay: the flood's last keys are still refused.
  CHECK(b.take("k99999", 0).count() > 0);
}

TEST_CASE("address keys: IPv4 without the port, IPv6 by /64, v4-mapped as IPv4") {
  CHECK(addressKey("10.1.2.3:51234") == "10.1.2.3");
  CHECK(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd:443") == "2001:db8:1:2::/64");
  CHECK(addressKey("2001:db8:1:2::9:443") == addressKey("2001:db8:1:2:ffff::1:80"));
  CHECK(addressKey("::ffff:10.1.2.3:8443") == "10.1.2.3");
  CHECK(addressKey("unknown") == "unknown");
}

TEST_CASE("issue 10: 300 enrollments with one token in a burst are refused after the limit") {
  FakeClock clock;
  EnrollRateLimits limits;
  limits.per_address = {1000, 1000};  // many addresses' worth: only the token limit bites
  EnrollRateLimiter limiter(limits, clock);
  int admitted = 0;
  EnrollAdmission last;
  for (int i = 0; i < 300; ++i) {
    auto a = limiter.admit("tok1", "10.0.0.1:" + std::to_string(1000 + i));
    if (a.status.isOk()) {
      ++admitted;
    } else {
      last = a;
    }
  }
  CHECK(admitted == 30);
  CHECK(last.status.code() == ErrorCode::kRateLimited);
  CHECK(last.status.message().find("token") != std::string::npos);
  CHECK(last.retry_after_seconds == 2);
  // Another token is not held up by the first one's flood.
  CHECK(limiter.admit("tok2", "10.0.0.1:1").status.isOk());
  // After the wait one more gets through.
  clock.advance(2s);
  CHECK(limiter.admit("tok1", "10.0.0.1:1").status.isOk());
  CHECK_FALSE(limiter.admit("tok1", "10.0.0.1:1").status.isOk());
}

TEST_CASE("one address trying many tokens is refused after its own limit") {
  FakeClock clock;
  EnrollRateLimiter limiter(EnrollRateLimits{}, clock);
  int admitted = 0;
  for (int i = 0; i < 200; ++i) {
    if (limiter.admit("guess" + std::to_string(i), "192.0.2.7:4000").status.isOk()) ++admitted;
  }
  CHECK(admitted == 60);
  auto refused = limiter.admit("guess-x", "192.0.2.7:4001");
  CHECK(refused.status.code() == ErrorCode::kRateLimited);
  CHECK(refused.status.message().find("address") != std::string::npos);
  CHECK(limiter.admit("guess-x", "192.0.2.8:4001").status.isOk());
}

}  // namespace
}  // namespace xiaoan::collector
