#include "agent/scan/scan_service.h"

#include "agent/scan/path_text.h"
#include "agent/scan/scan_status.h"
#include "common/policy/policy_rules.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr auto kTick = std::chrono::seconds(15);

// The merged policy always has the three (built-in defaults).
QuarantineLimits quarantineLimitsOf(const v1::ScanPolicy& policy) {
  QuarantineLimits limits;
  if (policy.has_quarantine_max_bytes()) limits.max_bytes = policy.quarantine_max_bytes();
  if (policy.has_quarantine_max_files()) limits.max_files = policy.quarantine_max_files();
  if (policy.has_quarantine_reserve_bytes()) {
    limits.reserve_bytes = policy.quarantine_reserve_bytes();
  }
  return limits;
}

}  // namespace

ScanService::ScanService(ScanServiceOptions options, const Clock& clock, ScanReporter& reporter,
                         std::unique_ptr<UserSessions> sessions)
    : options_(std::move(options)),
      clock_(clock),
      reporter_(reporter),
      sessions_(std::move(sessions)),
      requests_(options_.state_dir, options_.on_demand_threads),
      // Rules loaded (at start or from a bundle) clear an earlier rules problem.
      loader_({options_.state_dir, options_.builtin_signatures_dir}, clock,
              [this](const LoadedSignatures&) { setRulesProblem(Status::ok()); }),
      policy_(policy::builtinDefaults().scan()),
      jobs_(
          [this](JobSpec spec, ScanJob::OnDone on_done) {
            return makeJob(std::move(spec), std::move(on_done));
          },
          [this] { wake_.notify_all(); }),
      scheduled_(jobs_, requests_, loader_, *sessions_, clock, options_.state_dir),
      watch_(jobs_, requests_, *sessions_, clock, reporter, options_.state_dir) {
  scheduled_.setPolicy(policy_);
  watch_.setPolicy(policy_);
}

ScanService::~ScanService() { stop(); }

Status ScanService::start() {
  XIAOAN_ASSIGN_OR_RETURN(engine_, ScanEngine::open({options_.state_dir}));
  openQuarantine();
  detections_ = std::make_unique<DetectionHandler>(
      quarantine_.get(), [this](v1::Event e, v1::Priority p) { reporter_.emit(std::move(e), p); },
      [this](const Status& st) { reporter_.condition(DetectionHandler::kConditionKey, st); });
  scheduled_.load();
  {
    std::lock_guard lock(mu_);
    detections_->setAction(policy_.action());
    if (quarantine_) quarantine_->setLimits(quarantineLimitsOf(policy_));
    started_ = true;
  }
  background_ = std::thread([this] { background(); });
  watch_.start();
  return Status::ok();
}

void ScanService::openQuarantine() {
  auto q = Quarantine::open(options_.state_dir + "/quarantine", clock_);
  if (q.isOk()) {
    quarantine_ = std::move(q).value();
  } else {
    componentLogger(LogComponent::kAgentScan)
        ->error("quarantine unavailable: {}", q.status().toString());
  }
  reporter_.condition("quarantine", q.isOk() ? Status::ok() : q.status());
}

// No part starts a pass once told to stop; the passes under way are asked to stop, the threads
// joined, then the passes (their ends take the parts' locks: joined holding none).
void ScanService::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) return;
    stopping_ = true;
  }
  scheduled_.stop();
  watch_.beginStop();
  jobs_.stopAll();
  wake_.notify_all();
  if (background_.joinable()) background_.join();
  watch_.join();
  jobs_.drain();
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
    jobs_.reap();
    scheduled_.tick();
    lock.lock();
    if (policy_changed_) {
      policy_changed_ = false;
      lock.unlock();
      watch_.refreshWatchers();
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
    if (quarantine_) quarantine_->setLimits(quarantineLimitsOf(policy_));
    // Under mu_: policies applied at once reach every part in the same order.
    scheduled_.setPolicy(policy_);
    watch_.setPolicy(policy_);
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
  reporter_.condition("scan_rules", shown);
}

// Called under the registry's lock (and maybe a part's): takes none of the service's.
Result<std::unique_ptr<ScanJob>> ScanService::makeJob(JobSpec spec, ScanJob::OnDone on_done) {
  spec.rules = loader_.rules();
  if (!spec.rules) {
    return Status(ErrorCode::kRulesMissing, "no signature rules are loaded (yet)");
  }
  return std::make_unique<ScanJob>(
      *engine_, std::move(spec), *detections_,
      [this](v1::Event e, v1::Priority p) { reporter_.emit(std::move(e), p); }, clock_, pacer_env_,
      std::move(on_done));
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
    reporter_.emit(std::move(payload), v1::PRIORITY_SECURITY);
  }
}

v1::ScanStatus ScanService::status() const {
  v1::ScanStatus s;
  fillRulesStatus(loader_, s);
  s.set_quarantined(quarantine_ ? static_cast<uint32_t>(quarantine_->count()) : 0);
  if (quarantine_) {
    const QuarantineLimits limits = quarantine_->limits();
    s.set_quarantine_bytes(quarantine_->usage().bytes);
    s.set_quarantine_max_files(limits.max_files);
    s.set_quarantine_max_bytes(limits.max_bytes);
  }
  // The schedule before the passes: a scheduled pass ending in between shows as neither
  // recorded nor running, never as both.
  const v1::ScanState scheduled = scheduled_.fillStatus(s);
  const bool any_running = jobs_.fillRunning(s);
  s.set_watched_paths(watch_.watchedRoots());
  bool enabled = false;
  uint32_t cpu_cap = 0;
  {
    std::lock_guard lock(mu_);
    enabled = policy_.enabled();
    cpu_cap = policy_.cpu_percent();
  }
  s.set_cpu_cap_percent(enabled ? cpu_cap : 0);
  s.set_state(scanStateOf(loader_.loaded().has_value(), scheduled, any_running, enabled));
  return s;
}

}  // namespace xiaoan::agent::scan
