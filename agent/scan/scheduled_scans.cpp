#include "agent/scan/scheduled_scans.h"

#include "agent/scan/time_window.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

// Input within this long counts as "the user is active".
constexpr auto kUserActiveWithin = std::chrono::seconds(120);
// A scheduled pass that failed (or could not start) waits this long: no retry loop.
constexpr auto kRetryAfter = std::chrono::hours(1);

std::optional<std::chrono::system_clock::time_point> timeOf(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(t.seconds()));
}

}  // namespace

ScheduledScans::ScheduledScans(ScanJobs& jobs, const ScanRequestBuilder& requests,
                               const SignatureLoader& loader, const UserSessions& sessions,
                               const Clock& clock, const std::string& state_dir)
    : jobs_(jobs),
      requests_(requests),
      loader_(loader),
      clock_(clock),
      user_activity_(sessions, clock),
      store_(state_dir) {}

void ScheduledScans::load() {
  v1::ScanStatus loaded = store_.load();
  std::lock_guard lock(mu_);
  schedule_ = std::move(loaded);
}

void ScheduledScans::setPolicy(const v1::ScanPolicy& policy) {
  std::lock_guard lock(mu_);
  policy_ = policy;
  const PacerSettings pacing = ScanRequestBuilder::pacing(policy_);
  jobs_.withJob(scan_id_, [&](ScanJob& job) {
    if (job.pacer()) job.pacer()->setSettings(pacing);
  });
}

void ScheduledScans::stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
}

// mu_ held. What the schedule decides on, now.
ScheduleInput ScheduledScans::scheduleInput(TimePoint now, std::optional<std::chrono::seconds> idle,
                                            bool running) const {
  const int minute = localMinuteOfDay(now);
  auto windows = parseWindows(policy_.windows());
  ScheduleInput in;
  in.enabled = policy_.enabled();
  in.has_rules = loader_.rules() != nullptr;
  in.in_window = windows.isOk() ? inWindow(*windows, minute) : true;
  in.user_active = policy_.pause_when_user_active() && idle && *idle < kUserActiveWithin;
  in.job_running = running;
  in.pending = schedule_.running_size() > 0;
  in.last_full_scan = timeOf(schedule_.last_full_scan());
  in.not_before = not_before_;
  in.now = now;
  in.interval_days = policy_.full_scan_interval_days() > 0 ? policy_.full_scan_interval_days() : 7;
  return in;
}

void ScheduledScans::tick() {
  const auto now = clock_.now();
  const auto idle = user_activity_.idleFor();  // reads /dev: not under mu_
  std::lock_guard lock(mu_);
  if (stopping_) return;
  const bool running = jobs_.isRunning(scan_id_);
  const ScheduleDecision d = decide(scheduleInput(now, idle, running));
  if (d.state != state_) {
    componentLogger(LogComponent::kAgentScan)
        ->info("scheduled scanning: {}", v1::ScanState_Name(d.state));
  }
  state_ = d.state;
  if (d.action == ScheduleAction::kStart) {
    startPass();
  } else if (running) {
    act(d.action);
  }
}

// mu_ held. Pause, resume or stop the pass under way.
void ScheduledScans::act(ScheduleAction action) {
  jobs_.withJob(scan_id_, [action](ScanJob& job) {
    ThrottlePacer* pacer = job.pacer();
    if (action == ScheduleAction::kPause && pacer != nullptr) pacer->setPaused(true);
    if (action == ScheduleAction::kResume && pacer != nullptr) pacer->setPaused(false);
    // A stopped pass stays pending: it resumes once enabled again.
    if (action == ScheduleAction::kStop) job.stop(false);
  });
}

// mu_ held. Resumes the pending pass (same id and roots: the result cache makes the part
// already scanned cheap) or starts a new one.
void ScheduledScans::startPass() {
  std::vector<std::string> roots;
  std::string id;
  if (schedule_.running_size() > 0) {
    const auto& pending = schedule_.running(0);
    id = pending.scan_id();
    roots.assign(pending.summary().roots().begin(), pending.summary().roots().end());
  }
  if (roots.empty()) {
    roots.assign(policy_.paths().begin(), policy_.paths().end());
    if (roots.empty()) roots.push_back("/");
  }
  ScanRequest request = requests_.request(policy_, v1::SCAN_KIND_SCHEDULED, roots);
  if (!id.empty()) request.scan_id = id;
  // The pass's end takes mu_ (held here): it is recorded only after the lines below.
  auto started = jobs_.launch(ScanRequestBuilder::backgroundSpec(policy_, request),
                              [this](ScanJob& job) { onPassEnd(job); });
  if (!started.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("scheduled scan: {}", started.status().toString());
    not_before_ = clock_.now() + kRetryAfter;
    return;
  }
  componentLogger(LogComponent::kAgentScan)
      ->info("{} scheduled full scan {}", id.empty() ? "starting" : "resuming", request.scan_id);
  scan_id_ = request.scan_id;
  addPending(request);
  save();
}

// mu_ held. The pass is persisted as pending until it completes (or fails): resumed after a
// restart.
void ScheduledScans::addPending(const ScanRequest& request) {
  if (schedule_.running_size() > 0) return;
  auto* pending = schedule_.add_running();
  pending->set_scan_id(request.scan_id);
  pending->set_kind(v1::SCAN_KIND_SCHEDULED);
  for (const auto& r : request.roots) pending->mutable_summary()->add_roots(r);
  const auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
  pending->mutable_summary()->mutable_started_at()->set_seconds(secs.count());
}

// On the pass's thread. The end is recorded in the registry and in the schedule under mu_: the
// tick never sees the pass ended but still pending (it would resume a completed pass).
void ScheduledScans::onPassEnd(ScanJob& job) {
  const auto summary = job.summary();
  std::lock_guard lock(mu_);
  jobs_.finish(job);
  if (!summary) return;
  using Outcome = v1::ScanSummaryEvent;
  if (summary->outcome() == Outcome::OUTCOME_COMPLETED) {
    *schedule_.mutable_last_full_scan() = summary->finished_at();
    *schedule_.mutable_last_full_scan_summary() = *summary;
    schedule_.clear_running();
  } else if (summary->outcome() != Outcome::OUTCOME_INTERRUPTED) {
    // Failed or cancelled: not retried at once (no loop), the pending pass is dropped.
    schedule_.clear_running();
    not_before_ = clock_.now() + kRetryAfter;
  }
  save();
}

// mu_ held.
void ScheduledScans::save() const {
  Status st = store_.save(schedule_);
  if (!st.isOk()) componentLogger(LogComponent::kAgentScan)->warn("schedule: {}", st.toString());
}

v1::ScanState ScheduledScans::fillStatus(v1::ScanStatus& s) const {
  std::lock_guard lock(mu_);
  if (schedule_.has_last_full_scan()) *s.mutable_last_full_scan() = schedule_.last_full_scan();
  if (schedule_.has_last_full_scan_summary()) {
    *s.mutable_last_full_scan_summary() = schedule_.last_full_scan_summary();
    s.mutable_last_full_scan_summary()->clear_skipped_examples();  // paths: get_scan, for root
  }
  return state_;
}

}  // namespace xiaoan::agent::scan
