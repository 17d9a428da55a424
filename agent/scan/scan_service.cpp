#include "agent/scan/scan_service.h"

#include <thread>

#include "platform/logging.h"
#include "common/policy/policy_rules.h"
#include "signatures/yara/yara_library.h"

namespace xiaoan::agent::scan {
namespace {

// Full scans of "/" leave out what is not files on disk.
constexpr const char* kPseudoFileSystems[] = {"/proc", "/sys", "/dev", "/run"};
constexpr size_t kFinishedKept = 32;
constexpr auto kTick = std::chrono::seconds(15);

}  // namespace

ScanService::ScanService(ScanServiceOptions options, const Clock& clock, ScanServiceHooks hooks,
                         std::unique_ptr<UserSessions> sessions)
    : options_(std::move(options)),
      clock_(clock),
      hooks_(std::move(hooks)),
      sessions_(std::move(sessions)),
      user_activity_(std::make_unique<UserActivity>(*sessions_, clock)),
      // Rules loaded (at start or from a bundle) clear an earlier rules problem.
      loader_({options_.state_dir, options_.builtin_signatures_dir}, clock,
              [this](const LoadedSignatures&) { setRulesProblem(Status::ok()); }),
      schedule_store_(options_.state_dir),
      policy_(policy::builtinDefaults().scan()) {}

ScanService::~ScanService() { stop(); }

Status ScanService::start() {
  auto log = componentLogger(LogComponent::kAgentScan);
  XIAOAN_ASSIGN_OR_RETURN(engine_, ScanEngine::open({options_.state_dir}));
  auto q = Quarantine::open(options_.state_dir + "/quarantine", clock_);
  if (q.isOk()) {
    quarantine_ = std::move(q).value();
  } else {
    log->error("quarantine unavailable: {}", q.status().toString());
  }
  condition("quarantine", q.isOk() ? Status::ok() : q.status());
  detections_ = std::make_unique<DetectionHandler>(
      quarantine_.get(), [this](v1::Event e, v1::Priority p) { emit(std::move(e), p); });
  {
    std::lock_guard lock(mu_);
    schedule_ = schedule_store_.load();
    detections_->setAction(policy_.action());
    started_ = true;
  }
  background_ = std::thread([this] { background(); });
  access_thread_ = std::thread([this] { onAccessWorker(); });
  return Status::ok();
}

void ScanService::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) return;
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->stop(false);
  }
  wake_.notify_all();
  access_wake_.notify_all();
  if (background_.joinable()) background_.join();
  if (access_thread_.joinable()) access_thread_.join();
  on_access_.reset();
  removable_.reset();
  // Jobs report their end through onJobDone, which takes mu_: join without holding it.
  for (;;) {
    std::unique_ptr<ScanJob> job;
    {
      std::lock_guard lock(mu_);
      if (jobs_.empty()) break;
      job = std::move(jobs_.begin()->second);
      jobs_.erase(jobs_.begin());
    }
    job->join();
  }
  componentLogger(LogComponent::kAgentScan)->info("scanning stopped");
}

void ScanService::background() {
  Status st = loader_.loadAtStart();
  const auto error = loader_.lastError();
  setRulesProblem(st.isOk() && error ? Status(errorCodeFromName(error->code()), error->message())
                                     : st);
  reportStartupFaults();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    reapFinished();
    scheduleTick();
    lock.lock();
    if (policy_changed_) {
      policy_changed_ = false;
      lock.unlock();
      startWatchers();
      lock.lock();
      continue;
    }
    wake_.wait_for(lock, kTick);
  }
}

void ScanService::applyPolicy(const v1::Policy* policy) {
  std::vector<v1::Policy> layers{policy::builtinDefaults()};
  if (policy != nullptr) layers.push_back(*policy);
  v1::ScanPolicy effective = policy::mergeLayers(layers).scan();
  {
    std::lock_guard lock(mu_);
    policy_ = std::move(effective);
    policy_changed_ = true;
    if (detections_) detections_->setAction(policy_.action());
    auto it = jobs_.find(scheduled_id_);
    if (it != jobs_.end() && it->second->pacer()) it->second->pacer()->setSettings(pacing());
  }
  setRulesProblem(std::nullopt);
  wake_.notify_all();
}

// A damaged bundle set aside is always reported (RELIABILITY.md I4). No rules at all degrades
// the agent only while the policy turns scanning on: antivirus off by policy is no fault, and
// the antivirus section still says NO_RULES.
void ScanService::setRulesProblem(std::optional<Status> problem) {
  Status shown;
  {
    std::lock_guard lock(mu_);
    if (problem) rules_problem_ = *problem;
    shown = rules_problem_;
    if (shown.code() == ErrorCode::kRulesMissing && !policy_.enabled()) shown = Status::ok();
  }
  condition("scan_rules", shown);
}

PacerSettings ScanService::pacing() const {
  return {policy_.cpu_percent(), policy_.io_mib_per_second()};
}

ScanRequest ScanService::requestFor(v1::ScanKind kind, std::vector<std::string> roots) const {
  ScanRequest r;
  r.scan_id = newScanId();
  r.kind = kind;
  r.roots = std::move(roots);
  r.exclusions.assign(policy_.exclusions().begin(), policy_.exclusions().end());
  // Our own files (spool, quarantine, caches) are never scanned.
  r.exclusions.push_back(options_.state_dir);
  if (kind == v1::SCAN_KIND_SCHEDULED && policy_.paths_size() == 0) {
    r.exclusions.insert(r.exclusions.end(), std::begin(kPseudoFileSystems),
                        std::end(kPseudoFileSystems));
  }
  if (policy_.max_file_bytes() > 0) r.max_file_bytes = policy_.max_file_bytes();
  if (policy_.file_timeout_seconds() > 0) {
    r.file_timeout = std::chrono::seconds(policy_.file_timeout_seconds());
  }
  r.threads = kind == v1::SCAN_KIND_ON_DEMAND ? options_.on_demand_threads : 1;
  r.one_file_system = kind == v1::SCAN_KIND_REMOVABLE;
  // FAT/exFAT make inode numbers up and USB drives reuse device numbers: another stick could
  // hit a stale "clean" entry of the result cache, so removable media are always scanned.
  r.use_cache = kind != v1::SCAN_KIND_REMOVABLE;
  return r;
}

// Background passes (scheduled, removable media) keep the PC usable: paced, one thread.
JobSpec ScanService::backgroundSpec(ScanRequest request) const {
  JobSpec spec;
  spec.request = std::move(request);
  spec.pacing = pacing();
  spec.cpu_cap_percent = policy_.cpu_percent();
  return spec;
}

Result<std::unique_ptr<ScanJob>> ScanService::makeJob(JobSpec spec) {
  spec.rules = loader_.rules();
  if (!spec.rules) {
    return Status(ErrorCode::kRulesMissing, "no signature rules are loaded (yet)");
  }
  return std::make_unique<ScanJob>(
      *engine_, std::move(spec), *detections_,
      [this](v1::Event e, v1::Priority p) { emit(std::move(e), p); }, clock_, pacer_env_,
      [this](ScanJob& job) { onJobDone(job); });
}

// On the job's thread: bookkeeping only (the job is joined and dropped by reapFinished).
void ScanService::onJobDone(ScanJob& job) {
  const auto summary = job.summary();
  if (!summary) return;
  v1::ScanProgress final_progress = job.progress();
  {
    std::lock_guard lock(mu_);
    recordFinished(std::move(final_progress));
    job.markDone();  // with the record: status never counts the pass twice or as running
    if (job.request().scan_id == scheduled_id_) {
      using Outcome = v1::ScanSummaryEvent;
      if (summary->outcome() == Outcome::OUTCOME_COMPLETED) {
        *schedule_.mutable_last_full_scan() = summary->finished_at();
        *schedule_.mutable_last_full_scan_summary() = *summary;
        schedule_.clear_running();
      } else if (summary->outcome() != Outcome::OUTCOME_INTERRUPTED) {
        // Failed or cancelled: not retried at once (no loop), the pending pass is dropped.
        schedule_.clear_running();
        not_before_ = clock_.now() + std::chrono::hours(1);
      }
      Status st = schedule_store_.save(schedule_);
      if (!st.isOk()) componentLogger(LogComponent::kAgentScan)->warn("schedule: {}", st.toString());
    }
  }
  wake_.notify_all();
}

// mu_ held. On-access passes are counted, not kept (nobody polls them, and they are many).
void ScanService::recordFinished(v1::ScanProgress final_progress) {
  const auto& summary = final_progress.summary();
  files_scanned_ += summary.files_scanned();
  detections_total_ += summary.detections();
  if (summary.kind() == v1::SCAN_KIND_ON_ACCESS) return;
  finished_.push_back(std::move(final_progress));
  while (finished_.size() > kFinishedKept) finished_.pop_front();
}

void ScanService::reapFinished() {
  std::vector<std::unique_ptr<ScanJob>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
      // On-access passes are joined by their worker.
      if (!it->second->done() || it->second->request().kind == v1::SCAN_KIND_ON_ACCESS) {
        ++it;
        continue;
      }
      if (it->first == scheduled_id_) {
        if (it->second->pacer()) last_cpu_percent_ = it->second->pacer()->measuredCpuPercent();
        scheduled_id_.clear();
      }
      done.push_back(std::move(it->second));
      it = jobs_.erase(it);
    }
  }
  if (done.empty()) return;
  for (auto& job : done) job->join();
  done.clear();
  // The pass's threads freed their read buffers and per-file allocations into their own malloc
  // arenas: give those pages back now instead of carrying them until the next scan.
  sig::trimHeap();
}

void ScanService::emit(v1::Event payload, v1::Priority priority) {
  if (hooks_.on_event) hooks_.on_event(std::move(payload), priority);
}

void ScanService::condition(const std::string& key, const Status& st) {
  if (hooks_.on_condition) hooks_.on_condition(key, st);
}

}  // namespace xiaoan::agent::scan
