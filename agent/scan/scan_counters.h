#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "platform/file_walker.h"
#include "xiaoan/v1/scan.pb.h"

// The live counters of one pass, updated from the walker and the scan threads, read by
// progress() and turned into the summary. Every file not scanned is counted by reason.

namespace xiaoan::agent::scan {

enum class SkipReason : size_t {
  kUnreadable,
  kTooLarge,
  kTooDeep,
  kTimeout,
  kFaulted,
  kExcluded,
  kNotRegular,
  kVanished,
  kDuplicate,
  kOtherErrors,
  kCount,
};

// The reason names of SkippedFile ("unreadable", "too_large", ...).
std::string_view skipReasonName(SkipReason reason);
SkipReason skipReasonOf(WalkSkip walk_reason);

class PassCounters {
 public:
  static constexpr size_t kMaxExamples = 20;

  std::atomic<uint64_t> files_found{0}, bytes_found{0};
  std::atomic<uint64_t> files_done{0}, bytes_done{0};
  std::atomic<uint64_t> files_scanned{0}, bytes_scanned{0};
  std::atomic<uint64_t> files_cached{0}, detections{0};
  std::atomic<uint64_t> cpu_ns{0};
  std::atomic<bool> walk_done{false};

  void found(uint64_t files, uint64_t bytes) { add(files_found, files), add(bytes_found, bytes); }
  void done(uint64_t bytes) { add(files_done, 1), add(bytes_done, bytes); }
  // `count` files of `bytes` were not scanned; the first few are kept as examples.
  void skip(SkipReason reason, std::string_view path, uint64_t count, uint64_t bytes);
  uint64_t skipped(SkipReason reason) const;

  void fillSummary(v1::ScanSummaryEvent* out) const;
  void fillProgress(uint64_t elapsed_ns, v1::ScanProgress* out) const;

 private:
  static void add(std::atomic<uint64_t>& c, uint64_t n) {
    c.fetch_add(n, std::memory_order_relaxed);
  }

  std::array<std::atomic<uint64_t>, static_cast<size_t>(SkipReason::kCount)> skipped_{};
  std::atomic<size_t> example_slots_{0};
  mutable std::mutex examples_mu_;
  std::vector<std::pair<SkipReason, std::string>> examples_;
};

}  // namespace xiaoan::agent::scan
