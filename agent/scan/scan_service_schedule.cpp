// ScanService: the schedule loop's tick (scheduler.h) and the start of scheduled passes.
#include "agent/scan/path_text.h"
#include "agent/scan/scan_service.h"
#include "agent/scan/time_window.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

// Input within this long counts as "the user is active".
constexpr auto kUserActiveWithin = std::chrono::seconds(120);

std::optional<std::chrono::system_clock::time_point> timeOf(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(t.seconds()));
}

}  // namespace

// mu_ held. What the schedule decides on, now.
ScheduleInput ScanService::scheduleInput(TimePoint now, std::optional<std::chrono::seconds> idle,
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

void ScanService::scheduleTick() {
  const auto now = clock_.now();
  const auto idle = user_activity_->idleFor();  // reads /dev: not under mu_
  std::lock_guard lock(mu_);
  if (stopping_) return;
  auto job = jobs_.find(scheduled_id_);
  const bool running = job != jobs_.end() && !job->second->done();
  const ScheduleInput in = scheduleInput(now, idle, running);
  const ScheduleDecision d = decide(in);
  if (d.state != schedule_state_) {
    componentLogger(LogComponent::kAgentScan)->info("scheduled scanning: {}", v1::ScanState_Name(d.state));
  }
  schedule_state_ = d.state;
  ThrottlePacer* pacer = running ? job->second->pacer() : nullptr;
  switch (d.action) {
    case ScheduleAction::kStart:
      startScheduled();
      break;
    case ScheduleAction::kPause:
      if (pacer != nullptr) pacer->setPaused(true);
      break;
    case ScheduleAction::kResume:
      if (pacer != nullptr) pacer->setPaused(false);
      break;
    case ScheduleAction::kStop:
      job->second->stop(false);  // stays pending: resumes once enabled again
      break;
    case ScheduleAction::kNone:
      break;
  }
}

// mu_ held. Resumes the pending pass (same id and roots: the result cache makes the part
// already scanned cheap) or starts a new one.
void ScanService::startScheduled() {
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
  ScanRequest request = requestFor(v1::SCAN_KIND_SCHEDULED, roots);
  if (!id.empty()) request.scan_id = id;
  auto job = makeJob(backgroundSpec(request));
  if (!job.isOk()) {
    componentLogger(LogComponent::kAgentScan)->warn("scheduled scan: {}", job.status().toString());
    not_before_ = clock_.now() + std::chrono::hours(1);
    return;
  }
  if (schedule_.running_size() == 0) {
    auto* pending = schedule_.add_running();
    pending->set_scan_id(request.scan_id);
    pending->set_kind(v1::SCAN_KIND_SCHEDULED);
    for (const auto& r : roots) pending->mutable_summary()->add_roots(r);
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch());
    pending->mutable_summary()->mutable_started_at()->set_seconds(secs.count());
  }
  Status saved = schedule_store_.save(schedule_);
  if (!saved.isOk()) componentLogger(LogComponent::kAgentScan)->warn("schedule: {}", saved.toString());
  componentLogger(LogComponent::kAgentScan)
      ->info("{} scheduled full scan {}", id.empty() ? "starting" : "resuming", request.scan_id);
  scheduled_id_ = request.scan_id;
  (*job)->start();
  jobs_[request.scan_id] = std::move(job).value();
}

void ScanService::reportStartupFaults() {
  const auto loaded = loader_.loaded();
  for (const Fault& f : engine_->takeStartupFaults()) {
    v1::ScanFaultEvent e;
    e.set_kind(f.kind != v1::ScanFaultEvent::KIND_UNSPECIFIED ? f.kind
                                                              : v1::ScanFaultEvent::KIND_CRASH);
    setPathFields(f.path, e.mutable_path(), e.mutable_raw_path());
    e.set_size(f.size);
    e.set_bundle_version(loaded ? loaded->version : 0);
    componentLogger(LogComponent::kAgentScan)
        ->error("the scanner died while scanning {} last time: skipped from now on", e.path());
    v1::Event payload;
    *payload.mutable_scan_fault() = std::move(e);
    emit(std::move(payload), v1::PRIORITY_SECURITY);
  }
}

}  // namespace xiaoan::agent::scan
