#include "agent/scan/scan_job.h"

#include "agent/scan/path_text.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

google::protobuf::Timestamp stamp(std::chrono::system_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / 1'000'000'000);
  ts.set_nanos(static_cast<int32_t>(ns % 1'000'000'000));
  return ts;
}

}  // namespace

std::string newScanId() {
  auto bytes = randomBytes(8);
  if (bytes.isOk()) return toHex(*bytes);
  // No randomness: the time in nanoseconds still tells this agent's scans apart.
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

ScanJob::ScanJob(ScanEngine& engine, JobSpec spec, DetectionHandler& detections, EventSink sink,
                 const Clock& clock, const PacerEnv& pacer_env, OnDone on_done)
    : engine_(engine),
      spec_(std::move(spec)),
      detections_(detections),
      sink_(std::move(sink)),
      clock_(clock),
      on_done_(std::move(on_done)) {
  if (spec_.pacing) pacer_ = std::make_unique<ThrottlePacer>(pacer_env, *spec_.pacing, stop_);
}

ScanJob::~ScanJob() {
  stop(false);
  join();
}

void ScanJob::start() {
  started_at_ = clock_.now();
  thread_ = std::thread([this] { run(); });
}

void ScanJob::stop(bool cancelled) {
  if (cancelled) cancelled_ = true;
  stop_ = true;
  if (pacer_) pacer_->wake();
}

void ScanJob::join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void ScanJob::run() {
  const auto& r = spec_.request;
  componentLogger(LogComponent::kAgentScan)
      ->info("scan {} ({}) started: {} root(s){}", r.scan_id, v1::ScanKind_Name(r.kind),
             r.roots.size(), pacer_ ? " (paced)" : "");
  auto result = engine_.run(r, spec_.rules, *this, pacer_.get(), stop_);
  v1::ScanSummaryEvent s = finish(std::move(result));
  {
    std::lock_guard lock(mu_);
    summary_ = s;
  }
  componentLogger(LogComponent::kAgentScan)
      ->info("scan {} {}: {} scanned, {} cached, {} detections", r.scan_id,
             v1::ScanSummaryEvent::Outcome_Name(s.outcome()), s.files_scanned(), s.files_cached(),
             s.detections());
  if (sink_ && (!spec_.quiet_summary || worthReporting(s))) {
    v1::Event payload;
    *payload.mutable_scan_summary() = s;
    sink_(std::move(payload), v1::PRIORITY_ACTIVITY);
  }
  // Bookkeeping first: once done() says so the service may reap (join) the job.
  if (on_done_) on_done_(*this);
  markDone();
}

// The engine's summary completed with what only the service knows.
v1::ScanSummaryEvent ScanJob::finish(Result<v1::ScanSummaryEvent> result) {
  const auto& r = spec_.request;
  v1::ScanSummaryEvent s;
  if (result.isOk()) {
    s = std::move(result).value();
  } else {
    s.set_outcome(v1::ScanSummaryEvent::OUTCOME_FAILED);
    s.mutable_error()->set_code(std::string(errorCodeName(result.status().code())));
    s.mutable_error()->set_message(result.status().message());
  }
  if (s.outcome() != v1::ScanSummaryEvent::OUTCOME_FAILED) {
    s.set_outcome(cancelled_ ? v1::ScanSummaryEvent::OUTCOME_CANCELLED
                  : stop_    ? v1::ScanSummaryEvent::OUTCOME_INTERRUPTED
                             : v1::ScanSummaryEvent::OUTCOME_COMPLETED);
  }
  s.set_scan_id(r.scan_id);
  s.set_kind(r.kind);
  s.clear_roots();
  for (const auto& root : r.roots) s.add_roots(displayPath(root));
  if (!s.has_started_at()) *s.mutable_started_at() = stamp(started_at_);
  *s.mutable_finished_at() = stamp(clock_.now());
  s.set_detections(std::max<uint64_t>(s.detections(), findings_.load()));
  s.set_bundle_version(spec_.rules ? spec_.rules->bundleVersion() : 0);
  s.set_cpu_cap_percent(pacer_ ? spec_.cpu_cap_percent : 0);
  if (pacer_ && s.cpu_seconds() == 0) s.set_cpu_seconds(pacer_->cpuNs() / 1e9);
  return s;
}

bool ScanJob::worthReporting(const v1::ScanSummaryEvent& s) const {
  const auto& k = s.skipped();
  return s.detections() > 0 || faults_.load() > 0 ||
         s.outcome() == v1::ScanSummaryEvent::OUTCOME_FAILED || k.unreadable() > 0 ||
         k.too_large() > 0 || k.timeout() > 0 || k.faulted() > 0 || k.other_errors() > 0;
}

void ScanJob::onFinding(const Finding& finding) {
  ++findings_;
  const ScanOrigin origin{spec_.request.scan_id, spec_.request.kind,
                          spec_.rules ? spec_.rules->bundleVersion() : 0};
  v1::DetectionEvent e = detections_.handle(finding, origin);
  std::lock_guard lock(mu_);
  if (detected_.size() < kMaxDetectedKept) detected_.push_back(std::move(e));
}

void ScanJob::onFault(const Fault& fault) {
  ++faults_;
  v1::ScanFaultEvent e;
  e.set_kind(fault.kind);
  setPathFields(fault.path, e.mutable_path(), e.mutable_raw_path());
  e.set_size(fault.size);
  e.set_bundle_version(spec_.rules ? spec_.rules->bundleVersion() : 0);
  e.set_scan_id(spec_.request.scan_id);
  componentLogger(LogComponent::kAgentScan)
      ->warn("scan {}: {} {}; skipped from now on for this bundle", spec_.request.scan_id, e.path(),
             v1::ScanFaultEvent::Kind_Name(e.kind()));
  v1::Event payload;
  *payload.mutable_scan_fault() = std::move(e);
  if (sink_) sink_(std::move(payload), v1::PRIORITY_SECURITY);
}

// The counters of a pass that ended, from its summary.
v1::ScanProgress progressOf(const v1::ScanSummaryEvent& s) {
  v1::ScanProgress p;
  p.set_scan_id(s.scan_id());
  p.set_kind(s.kind());
  const auto& k = s.skipped();
  const uint64_t skipped = k.unreadable() + k.too_large() + k.too_deep() + k.timeout() +
                           k.faulted() + k.excluded() + k.not_regular() + k.vanished() +
                           k.duplicate();
  p.set_files_done(s.files_scanned() + s.files_cached() + skipped);
  p.set_files_found(p.files_done());
  p.set_bytes_done(s.bytes_scanned());
  p.set_bytes_found(s.bytes_scanned());
  p.set_detections(s.detections());
  *p.mutable_summary() = s;
  return p;
}

v1::ScanProgress ScanJob::progress() const {
  v1::ScanProgress p;
  std::optional<v1::ScanSummaryEvent> summary = this->summary();
  if (summary) {
    p = progressOf(*summary);
  } else {
    if (!engine_.progress(spec_.request.scan_id, &p)) p.set_scan_id(spec_.request.scan_id);
    p.set_kind(spec_.request.kind);
    p.set_detections(std::max<uint64_t>(p.detections(), findings_.load()));
    p.set_paused(pacer_ && pacer_->paused());
  }
  std::lock_guard lock(mu_);
  p.clear_detected();
  for (const auto& d : detected_) *p.add_detected() = d;
  return p;
}

std::optional<v1::ScanSummaryEvent> ScanJob::summary() const {
  std::lock_guard lock(mu_);
  return summary_;
}

}  // namespace xiaoan::agent::scan
