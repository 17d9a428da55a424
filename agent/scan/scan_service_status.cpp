// ScanService: what `xiaoanctl status` shows about the antivirus (AgentStatus.scan).
#include "agent/scan/scan_service.h"

namespace xiaoan::agent::scan {
namespace {

google::protobuf::Timestamp stampOf(std::chrono::system_clock::time_point t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return ts;
}

}  // namespace

void ScanService::fillRules(v1::ScanStatus& s) const {
  if (const auto loaded = loader_.loaded()) {
    s.set_bundle_version(loaded->version);
    if (loaded->issued_at.seconds() != 0) *s.mutable_bundle_issued_at() = loaded->issued_at;
    *s.mutable_bundle_loaded_at() = stampOf(loaded->loaded_at);
    s.set_rule_count(loaded->rule_count);
  }
  if (const auto error = loader_.lastError()) *s.mutable_last_bundle_error() = *error;
}

// mu_ held. Counters since start including the passes under way, and those passes (on-access
// ones are many and short: counted, not listed). True when any pass runs.
bool ScanService::fillRunning(v1::ScanStatus& s) const {
  uint64_t files = files_scanned_, detections = detections_total_;
  bool any_running = false;
  double cpu = last_cpu_percent_;
  for (const auto& [id, job] : jobs_) {
    if (job->done()) continue;
    any_running = true;
    v1::ScanProgress p = job->progress();
    detections += p.detections();
    files += p.files_done();  // counted for good once the pass ends
    if (job->pacer() != nullptr) cpu = job->pacer()->measuredCpuPercent();
    // Anyone may read the status: which files of whom were detected or skipped is for root
    // (get_scan).
    p.clear_detected();
    p.mutable_summary()->clear_skipped_examples();
    if (job->request().kind != v1::SCAN_KIND_ON_ACCESS) *s.add_running() = std::move(p);
  }
  s.set_files_scanned(files);
  s.set_detections(detections);
  s.set_cpu_percent(cpu);
  return any_running;
}

// mu_ held.
v1::ScanState ScanService::stateNow(bool any_running) const {
  const v1::ScanState state = schedule_state_;
  if (!loader_.loaded()) return v1::SCAN_STATE_NO_RULES;
  const bool held =
      state == v1::SCAN_STATE_WAITING_WINDOW || state == v1::SCAN_STATE_PAUSED_USER_ACTIVE;
  if (any_running && !held) return v1::SCAN_STATE_RUNNING;
  if (state != v1::SCAN_STATE_UNSPECIFIED) return state;
  return policy_.enabled() ? v1::SCAN_STATE_IDLE : v1::SCAN_STATE_DISABLED;
}

v1::ScanStatus ScanService::status() const {
  v1::ScanStatus s;
  fillRules(s);
  const size_t quarantined = quarantine_ ? quarantine_->count() : 0;
  std::lock_guard lock(mu_);
  if (schedule_.has_last_full_scan()) *s.mutable_last_full_scan() = schedule_.last_full_scan();
  if (schedule_.has_last_full_scan_summary()) {
    *s.mutable_last_full_scan_summary() = schedule_.last_full_scan_summary();
    s.mutable_last_full_scan_summary()->clear_skipped_examples();  // paths: get_scan, for root
  }
  const bool any_running = fillRunning(s);
  s.set_quarantined(static_cast<uint32_t>(quarantined));
  s.set_cpu_cap_percent(policy_.enabled() ? policy_.cpu_percent() : 0);
  s.set_watched_paths(on_access_ ? static_cast<uint32_t>(on_access_->watchedRoots()) : 0);
  s.set_state(stateNow(any_running));
  return s;
}

}  // namespace xiaoan::agent::scan
