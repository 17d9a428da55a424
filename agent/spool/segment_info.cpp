#include "agent/spool/segment_info.h"

#include <algorithm>

namespace xiaoan::agent {
namespace {

// One seek checkpoint per this many bytes: a read scans at most this far to find its start.
constexpr uint64_t kCheckpointBytes = 64 * 1024;

}  // namespace

void SegmentInfo::addRecord(uint64_t seq, uint64_t offset, uint64_t frame_bytes, bool is_gap) {
  if (!runs_.empty() && runs_.back().second + 1 == seq) {
    runs_.back().second = seq;
  } else {
    runs_.emplace_back(seq, seq);
  }
  if (checkpoints_.empty() || offset - checkpoints_.back().second >= kCheckpointBytes) {
    checkpoints_.emplace_back(seq, offset);
  }
  if (is_gap) gaps_.emplace_back(seq, offset);
  bytes_ = offset + frame_bytes;
  ++records_;
}

bool SegmentInfo::contains(uint64_t seq) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), seq,
                             [](uint64_t s, const auto& run) { return s < run.first; });
  return it != runs_.begin() && seq <= std::prev(it)->second;
}

uint64_t SegmentInfo::countAbove(uint64_t seq) const {
  uint64_t n = 0;
  for (auto it = runs_.rbegin(); it != runs_.rend() && it->second > seq; ++it) {
    n += it->second - std::max(it->first, seq + 1) + 1;
  }
  return n;
}

uint64_t SegmentInfo::firstAbove(uint64_t seq) const {
  for (const auto& run : runs_) {
    if (run.second > seq) return std::max(run.first, seq + 1);
  }
  return 0;
}

uint64_t SegmentInfo::seekOffset(uint64_t seq) const {
  auto it = std::upper_bound(checkpoints_.begin(), checkpoints_.end(), seq,
                             [](uint64_t s, const auto& cp) { return s < cp.first; });
  return it == checkpoints_.begin() ? 0 : std::prev(it)->second;
}

}  // namespace xiaoan::agent
