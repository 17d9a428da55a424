#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

namespace xiaoan::collector {

// A token-bucket rate: `burst` requests at once, then `per_second` on average.
struct RateLimit {
  double per_second = 1;
  double burst = 1;
};

// One token bucket per key (a token id, a source address), in a table of at most `max_keys`
// entries: when it is full the least recently used key is forgotten, so memory stays bounded
// whatever a peer sends; a forgotten key starts again with a full bucket. Not thread-safe.
class TokenBuckets {
 public:
  TokenBuckets(RateLimit limit, size_t max_keys) : limit_(limit), max_keys_(max_keys) {}

  // Takes one request for `key` at monotonic time `now_ns`. Zero when admitted; otherwise how
  // long until the bucket holds one again (nothing is taken then).
  std::chrono::milliseconds take(const std::string& key, uint64_t now_ns);

  size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    uint64_t updated_ns = 0;
    std::list<std::string>::iterator lru;
  };
  Bucket& find(const std::string& key, uint64_t now_ns);

  RateLimit limit_;
  size_t max_keys_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace xiaoan::collector
