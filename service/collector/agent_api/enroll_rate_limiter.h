#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "platform/clock.h"
#include "platform/result.h"
#include "service/collector/http/token_buckets.h"

namespace xiaoan::collector {

// Enrollment rates (issue 10: one token enrolled 300 fake PCs in 0.21 s). Agents refused with
// 429 retry after Retry-After, so a real lab enrolling at once is slowed, not lost.
struct EnrollRateLimits {
  // One token: a lab of 30 at once, then one every 2 s (300 PCs in about 9 minutes).
  RateLimit per_token{0.5, 30};
  // One source address (a school's PCs may share one NAT address): 60 at once, then 1/s.
  // IPv6 addresses count per /64, which one host usually has for itself.
  RateLimit per_address{1, 60};
  // Entries per table (token ids, addresses); the least recently used is forgotten beyond.
  size_t max_tracked = 10000;
};

// What admit() decided.
struct EnrollAdmission {
  Status status;                     // OK, or E_RATE_LIMITED naming the limit
  uint32_t retry_after_seconds = 0;  // when refused: seconds until a retry can succeed
};

// Charges every enrollment attempt (good token or not) to its source address, then to its
// token id. Thread-safe; memory bounded by max_tracked per table.
class EnrollRateLimiter {
 public:
  EnrollRateLimiter(EnrollRateLimits limits, const Clock& clock)
      : clock_(clock),
        tokens_(limits.per_token, limits.max_tracked),
        addresses_(limits.per_address, limits.max_tracked) {}

  // `remote_address` as the listener gives it ("ip:port").
  EnrollAdmission admit(const std::string& token_id, const std::string& remote_address);

 private:
  const Clock& clock_;
  std::mutex mu_;
  TokenBuckets tokens_;
  TokenBuckets addresses_;
};

// The rate-limit key of a peer "ip:port": the IPv4 address, or the /64 of an IPv6 one.
std::string addressKey(const std::string& remote_address);

}  // namespace xiaoan::collector
