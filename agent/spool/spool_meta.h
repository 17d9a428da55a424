#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "platform/result.h"

namespace xiaoan::agent {

// Small per-stream state files. Each is sealed with a magic and a CRC32C and has a fixed
// size, so a garbage file is recognised (and then treated as missing) instead of trusted.
inline constexpr char kEpochFile[] = "EPOCH";
inline constexpr char kAckedFile[] = "ACKED";
inline constexpr char kStatsFile[] = "STATS";

// What a state file held.
template <typename T>
struct MetaLoad {
  std::optional<T> value;  // nullopt when missing or garbage
  bool garbage = false;    // present but unreadable or invalid
};

// The collector stored everything of (epoch) up to seq.
struct AckCursor {
  uint64_t epoch = 0;
  uint64_t seq = 0;
};

// Drops at the cap whose gap record is not written yet. Persisted before the segments are
// deleted, so that a crash between the two cannot hide a drop (see SpoolStream).
struct PendingGap {
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t count = 0;
  uint64_t after_seq = 0;  // the gap record gets a seq above this one
};

// State that must survive restarts.
struct StreamCounters {
  uint64_t dropped_records = 0;  // dropped at the disk cap, lifetime of the spool dir
  std::optional<PendingGap> pending_gap;
};

MetaLoad<uint64_t> loadEpoch(const std::string& path);
Status storeEpoch(const std::string& path, uint64_t epoch);

MetaLoad<AckCursor> loadAcked(const std::string& path);
Status storeAcked(const std::string& path, const AckCursor& cursor);

MetaLoad<StreamCounters> loadStats(const std::string& path);
Status storeStats(const std::string& path, const StreamCounters& counters);

}  // namespace xiaoan::agent
