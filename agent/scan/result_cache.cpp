#include "agent/scan/result_cache.h"

#include <algorithm>
#include <vector>

#include "agent/scan/state_file.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr std::string_view kMagic = "XACACHE1";
constexpr size_t kRecordBytes = 3 * 8 + 4;

// splitmix64's finalizer: every input bit affects every output bit.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
// An entry not used for this many days is dropped at the next save (deleted files).
constexpr uint32_t kKeepDays = 90;

}  // namespace

ResultCache::ResultCache(std::string path, size_t max_entries)
    : path_(std::move(path)),
      max_(max_entries),
      today_(dayNumber(std::chrono::system_clock::now())) {}

uint32_t ResultCache::dayNumber(std::chrono::system_clock::time_point t) {
  const auto days = std::chrono::floor<std::chrono::days>(t.time_since_epoch()).count();
  return static_cast<uint32_t>(std::max<int64_t>(days, 0));
}

std::unique_ptr<ResultCache> ResultCache::load(const std::string& path, size_t max_entries) {
  std::unique_ptr<ResultCache> cache(new ResultCache(path, max_entries));
  auto payload = readStateFile(path, kMagic, 16 + max_entries * kRecordBytes);
  if (payload.isOk() && cache->parse(*payload)) return cache;
  if (!payload.isOk() && payload.status().code() == ErrorCode::kNotFound) return cache;
  // Damaged or unreadable: start empty; the next save replaces it.
  cache->entries_.clear();
  cache->damaged_ = true;
  cache->dirty_ = true;
  componentLogger(LogComponent::kAgentScan)
      ->warn("scan result cache {} ignored and rebuilt: {}", path,
             payload.isOk() ? "bad records" : payload.status().toString());
  return cache;
}

uint64_t ResultCache::fingerprint(const FileStat& st, uint64_t bundle_version) {
  uint64_t h = mix(st.size + 0x9E3779B97F4A7C15ull);
  h = mix(h ^ static_cast<uint64_t>(st.mtime_ns));
  h = mix(h ^ static_cast<uint64_t>(st.ctime_ns));
  return mix(h ^ bundle_version);
}

bool ResultCache::parse(const std::string& payload) {
  StateReader r(payload);
  uint64_t count = 0;
  if (!r.get(&count) || count > max_) return false;
  entries_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    FileId k;
    Entry e;
    if (!r.get(&k.dev) || !r.get(&k.ino) || !r.get(&e.fingerprint) || !r.get(&e.last_day)) {
      return false;
    }
    entries_[k] = e;
  }
  return r.done();
}

bool ResultCache::isClean(const FileStat& st, uint64_t bundle_version) {
  std::lock_guard lock(mu_);
  auto it = entries_.find({st.dev, st.ino});
  if (it == entries_.end()) return false;
  Entry& e = it->second;
  if (e.fingerprint != fingerprint(st, bundle_version)) return false;
  if (e.last_day != today_) {
    e.last_day = today_;
    dirty_ = true;
  }
  return true;
}

void ResultCache::markClean(const FileStat& st, uint64_t bundle_version) {
  std::lock_guard lock(mu_);
  FileId k{st.dev, st.ino};
  if (entries_.size() >= max_ && !entries_.contains(k)) evictOldest();
  entries_[k] = Entry{fingerprint(st, bundle_version), today_};
  dirty_ = true;
}

void ResultCache::forget(const FileStat& st) {
  std::lock_guard lock(mu_);
  if (entries_.erase({st.dev, st.ino}) > 0) dirty_ = true;
}

// Drops the least recently used tenth (at least one entry).
void ResultCache::evictOldest() {
  std::vector<uint32_t> days;
  days.reserve(entries_.size());
  for (const auto& [k, e] : entries_) days.push_back(e.last_day);
  if (days.empty()) return;
  size_t cut = std::max<size_t>(1, days.size() / 10);
  std::nth_element(days.begin(), days.begin() + (cut - 1), days.end());
  uint32_t limit = days[cut - 1];
  size_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end() && dropped < cut;) {
    it = it->second.last_day <= limit ? (++dropped, entries_.erase(it)) : std::next(it);
  }
}

std::string ResultCache::serialize() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.last_day + kKeepDays < today_ ? entries_.erase(it) : std::next(it);
  }
  std::string out;
  out.reserve(8 + entries_.size() * kRecordBytes);
  StateWriter w(&out);
  w.put<uint64_t>(entries_.size());
  for (const auto& [k, e] : entries_) {
    w.put(k.dev);
    w.put(k.ino);
    w.put(e.fingerprint);
    w.put(e.last_day);
  }
  return out;
}

Status ResultCache::save(std::chrono::seconds at_most_every) {
  std::lock_guard save_lock(save_mu_);
  const auto now = std::chrono::steady_clock::now();
  if (at_most_every.count() > 0 && last_write_.time_since_epoch().count() != 0 &&
      now - last_write_ < at_most_every) {
    return Status::ok();
  }
  std::string payload;
  {
    std::lock_guard lock(mu_);
    if (!dirty_) return Status::ok();
    payload = serialize();
    dirty_ = false;
  }
  Status st = writeStateFile(path_, kMagic, payload);
  if (!st.isOk()) {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  if (st.isOk()) last_write_ = now;
  return st;
}

void ResultCache::setToday(uint32_t day) {
  std::lock_guard lock(mu_);
  today_ = day;
}

size_t ResultCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace xiaoan::agent::scan
