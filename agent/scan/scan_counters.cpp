#include "agent/scan/scan_counters.h"

#include "agent/scan/path_text.h"

namespace xiaoan::agent::scan {

std::string_view skipReasonName(SkipReason reason) {
  static constexpr std::string_view kNames[] = {
      "unreadable", "too_large",   "too_deep", "timeout",   "faulted",
      "excluded",   "not_regular", "vanished", "duplicate", "other_errors"};
  static_assert(std::size(kNames) == static_cast<size_t>(SkipReason::kCount));
  return kNames[static_cast<size_t>(reason)];
}

SkipReason skipReasonOf(WalkSkip walk_reason) {
  switch (walk_reason) {
    case WalkSkip::kNotRegular:
      return SkipReason::kNotRegular;
    case WalkSkip::kExcluded:
    case WalkSkip::kOtherFileSystem:
      return SkipReason::kExcluded;
    case WalkSkip::kDuplicate:
      return SkipReason::kDuplicate;
    case WalkSkip::kTooDeep:
      return SkipReason::kTooDeep;
    case WalkSkip::kUnreadable:
      return SkipReason::kUnreadable;
    case WalkSkip::kDirUnreadable:
      return SkipReason::kOtherErrors;
    case WalkSkip::kVanished:
      return SkipReason::kVanished;
  }
  return SkipReason::kOtherErrors;
}

void PassCounters::skip(SkipReason reason, std::string_view path, uint64_t count, uint64_t bytes) {
  add(skipped_[static_cast<size_t>(reason)], count);
  add(files_done, count);
  add(bytes_done, bytes);
  // A cheap check first: examples stop being taken once the slots are gone.
  if (example_slots_.fetch_add(1, std::memory_order_relaxed) >= kMaxExamples) return;
  std::lock_guard lock(examples_mu_);
  examples_.emplace_back(reason, std::string(path));
}

uint64_t PassCounters::skipped(SkipReason reason) const {
  return skipped_[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
}

void PassCounters::fillSummary(v1::ScanSummaryEvent* out) const {
  out->set_files_scanned(files_scanned.load());
  out->set_bytes_scanned(bytes_scanned.load());
  out->set_files_cached(files_cached.load());
  out->set_detections(detections.load());
  out->set_cpu_seconds(static_cast<double>(cpu_ns.load()) / 1e9);
  v1::ScanSkipCounts* s = out->mutable_skipped();
  s->set_unreadable(skipped(SkipReason::kUnreadable));
  s->set_too_large(skipped(SkipReason::kTooLarge));
  s->set_too_deep(skipped(SkipReason::kTooDeep));
  s->set_timeout(skipped(SkipReason::kTimeout));
  s->set_faulted(skipped(SkipReason::kFaulted));
  s->set_excluded(skipped(SkipReason::kExcluded));
  s->set_not_regular(skipped(SkipReason::kNotRegular));
  s->set_vanished(skipped(SkipReason::kVanished));
  s->set_duplicate(skipped(SkipReason::kDuplicate));
  s->set_other_errors(skipped(SkipReason::kOtherErrors));
  std::lock_guard lock(examples_mu_);
  for (const auto& [reason, path] : examples_) {
    v1::SkippedFile* f = out->add_skipped_examples();
    f->set_path(displayPath(path));
    f->set_reason(std::string(skipReasonName(reason)));
  }
}

void PassCounters::fillProgress(uint64_t elapsed_ns, v1::ScanProgress* out) const {
  uint64_t done = files_done.load(), bytes = bytes_done.load();
  out->set_files_done(done);
  out->set_bytes_done(bytes);
  out->set_files_found(files_found.load());
  out->set_bytes_found(bytes_found.load());
  out->set_detections(detections.load());
  double seconds = static_cast<double>(elapsed_ns) / 1e9;
  out->set_files_per_second(seconds > 0 ? static_cast<double>(done) / seconds : 0);
  // The remaining work is known once the walk is over; estimated from the byte rate.
  uint64_t left = bytes_found.load() - std::min(bytes, bytes_found.load());
  if (walk_done.load() && bytes > 0 && seconds > 0) {
    out->set_eta_seconds(
        static_cast<uint64_t>(static_cast<double>(left) * seconds / static_cast<double>(bytes)));
  }
}

}  // namespace xiaoan::agent::scan
