#include "service/collector/http/token_buckets.h"

#include <algorithm>
#include <cmath>

namespace xiaoan::collector {

TokenBuckets::Bucket& TokenBuckets::find(const std::string& key, uint64_t now_ns) {
  auto it = buckets_.find(key);
  if (it != buckets_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  if (buckets_.size() >= max_keys_ && !lru_.empty()) {
    buckets_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  Bucket& b = buckets_[key];
  b.tokens = limit_.burst;
  b.updated_ns = now_ns;
  b.lru = lru_.begin();
  return b;
}

std::chrono::milliseconds TokenBuckets::take(const std::string& key, uint64_t now_ns) {
  Bucket& b = find(key, now_ns);
  if (now_ns > b.updated_ns) {
    const double elapsed_s = static_cast<double>(now_ns - b.updated_ns) / 1e9;
    b.tokens = std::min(limit_.burst, b.tokens + elapsed_s * limit_.per_second);
    b.updated_ns = now_ns;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return std::chrono::milliseconds(0);
  }
  const double wait_s = limit_.per_second > 0 ? (1 - b.tokens) / limit_.per_second : 3600;
  return std::chrono::milliseconds(std::max<int64_t>(1, std::llround(std::ceil(wait_s * 1000))));
}

}  // namespace xiaoan::collector
