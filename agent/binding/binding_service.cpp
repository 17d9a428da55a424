#include "agent/binding/binding_service.h"

#include <algorithm>

#include "agent/binding/binding_decision.h"
#include "agent/binding/binding_restorer.h"
#include "common/proto_time.h"
#include "platform/logging.h"

namespace xiaoan::agent::binding {
namespace {

using namespace std::chrono_literals;

// Binding logs under agent.core: a component of its own would touch logging.h, which every file
// includes.
auto log() { return componentLogger(LogComponent::kAgentCore); }

bool macKind(v1::ViolationKind k) {
  return k == v1::VIOLATION_KIND_MAC_CHANGED || k == v1::VIOLATION_KIND_NIC_REPLACED;
}

}  // namespace

BindingService::BindingService(BindingServiceOptions options, const Clock& clock,
                               const NetworkInfo& net, NetworkChangeWatcher* watcher,
                               NetworkConfig& config, Isolation& isolation,
                               BindingReporter& reporter, ArpProber* prober)
    : options_(std::move(options)),
      clock_(clock),
      net_(net),
      watcher_(watcher),
      config_(config),
      isolation_(isolation),
      reporter_(reporter),
      prober_(prober) {
  auto active = isolation_.isActive();
  isolated_ = active.isOk() && *active;
  if (isolated_) log()->warn("isolation table found at start; kept only if the policy needs it");
}

BindingService::~BindingService() { stop(); }

void BindingService::start() {
  thread_ = std::thread([this] { run(); });
}

void BindingService::stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (watcher_) watcher_->wake();
  if (thread_.joinable()) thread_.join();
}

// Taken over by the next check: a check in progress (a network manager's tool may run for
// seconds) never holds up the content channel.
void BindingService::applyPolicy(const v1::BindingPolicy* policy) {
  {
    std::lock_guard lock(wake_mu_);
    policy_known_ = true;
    pending_policy_ = policy ? std::optional<v1::BindingPolicy>(*policy) : std::nullopt;
    policy_pending_ = true;
    dirty_ = true;
  }
  wake_cv_.notify_all();
  if (watcher_) watcher_->wake();
}

// Waits for a change (then a quiet `debounce`), a policy, or the next due time; then checks.
void BindingService::run() {
  const uint64_t started = clock_.monotonicNs();
  uint64_t next_due = started;
  while (true) {
    const uint64_t now = clock_.monotonicNs();
    auto timeout = std::chrono::milliseconds(next_due > now ? (next_due - now) / 1'000'000 : 0);
    timeout = std::clamp<std::chrono::milliseconds>(timeout, 0ms, 3600s);
    bool changed = false;
    if (watcher_ != nullptr) {
      auto r = watcher_->wait(timeout);
      if (!r.isOk()) {  // the timer still runs; a broken socket must not spin
        log()->warn("network change notifications: {}", r.status().toString());
        std::unique_lock lock(wake_mu_);
        wake_cv_.wait_for(lock, 2s, [&] { return stopping_; });
      }
      changed = r.isOk() && *r;
      for (int i = 0; changed && i < 20; ++i) {
        auto more = watcher_->wait(options_.debounce);
        if (!more.isOk() || !*more) break;
      }
    }
    bool dirty, known;
    {
      std::unique_lock lock(wake_mu_);
      if (watcher_ == nullptr || !changed)
        wake_cv_.wait_for(lock, watcher_ ? 0ms : timeout, [&] { return stopping_ || dirty_; });
      if (stopping_) return;
      dirty = std::exchange(dirty_, false);
      known = policy_known_;
    }
    const uint64_t t = clock_.monotonicNs();
    const bool waiting_for_policy =
        !known && t - started < static_cast<uint64_t>(options_.policy_wait / 1ns);
    if (waiting_for_policy) {
      next_due = started + options_.policy_wait / 1ns;
      continue;
    }
    if (!(changed || dirty || t >= next_due)) continue;
    auto checked = checkNow();
    if (!checked.isOk()) log()->warn("binding check: {}", checked.status().toString());
    std::lock_guard lock(mu_);  // next_wait_ is the check's, also when xiaoanctl runs one
    next_due = clock_.monotonicNs() + next_wait_ / 1ns;
  }
}

Result<v1::ComplianceStatus> BindingService::checkNow() {
  std::lock_guard lock(mu_);
  {
    std::lock_guard pending(wake_mu_);
    if (std::exchange(policy_pending_, false)) policy_ = std::move(pending_policy_);
  }
  return checkLocked();
}

Result<v1::ComplianceStatus> BindingService::checkLocked() {
  auto snap = net_.snapshot();
  if (!snap.isOk()) return snap.status();
  last_check_ = clock_.now();
  checked_ = true;
  next_wait_ = std::chrono::seconds(
      policy_ ? std::max<uint32_t>(policy_->check_interval_seconds(), 10) : 300);
  Evaluation found = evaluate(*snap);
  const bool missing = std::any_of(found.violations.begin(), found.violations.end(),
                                   [](auto& v) { return v.kind() == v1::VIOLATION_KIND_WRONG_IP; });
  if (!missing && !conflicts_.empty()) {  // the address is back: the probe's news is old
    conflicts_.clear();
    found = evaluate(*snap);
  }
  track(found);
  act(*snap, found);
  return publishLocked();
}

v1::ComplianceStatus BindingService::publishLocked() {
  v1::ComplianceStatus s = statusLocked();
  std::lock_guard lock(published_mu_);
  published_ = s;
  return s;
}

Evaluation BindingService::evaluate(const NetworkSnapshot& net) const {
  if (!policy_ || !policy_->enabled()) return {};
  Observations seen;
  seen.previous_bound_index = bound_index_;
  seen.conflicts = conflicts_;
  return evaluateBinding(net, *policy_, seen);
}

// Opens and closes violation episodes, reporting each change once.
void BindingService::track(const Evaluation& found) {
  const uint64_t now = clock_.monotonicNs();
  const bool was_clean = open_.empty();
  std::map<std::string, Open> next;
  bool mac_problem = false;
  for (const auto& v : found.violations) {
    mac_problem |= macKind(v.kind());
    const std::string key = violationKey(v);
    auto it = open_.find(key);
    Open o{v, now};
    if (it != open_.end()) {
      o.since_ns = it->second.since_ns;
      *o.violation.mutable_since() = it->second.violation.since();
    } else {
      *o.violation.mutable_since() = toTimestamp(clock_.now());
      log()->warn("binding violation: {} on {}: expected {}, have {}",
                  v1::ViolationKind_Name(v.kind()), v.interface(), v.expected(), v.actual());
      emit(v1::BindingEvent::KIND_VIOLATION_DETECTED, &o.violation, "", Status::ok(), "");
    }
    next.emplace(key, std::move(o));
  }
  for (const auto& [key, o] : open_) {
    if (next.count(key)) continue;
    log()->info("binding violation cleared: {} on {}", v1::ViolationKind_Name(o.violation.kind()),
                o.violation.interface());
    emit(v1::BindingEvent::KIND_VIOLATION_CLEARED, &o.violation, "", Status::ok(),
         policy_ && policy_->enabled() ? "" : "binding is off");
  }
  // A restore undone soon after it was made is a fight with something on the host.
  if (was_clean && !next.empty() && last_restore_ns_ &&
      now - *last_restore_ns_ < static_cast<uint64_t>(options_.fight_window / 1ns)) {
    if (++fights_ == options_.fight_limit) {
      emit(v1::BindingEvent::KIND_RESTORE_FIGHT, &next.begin()->second.violation, "", Status::ok(),
           std::to_string(fights_) + " restores undone in a row");
    }
  }
  if (next.empty()) restore_failed_ = false;
  if (next.empty() && last_restore_ns_ &&
      now - *last_restore_ns_ >= static_cast<uint64_t>(options_.fight_window / 1ns))
    fights_ = 0;
  open_ = std::move(next);
  if (found.bound_index != 0 && !mac_problem) bound_index_ = found.bound_index;
  permanent_mac_ = found.permanent_mac;
}

std::chrono::seconds BindingService::inViolation() const {
  uint64_t oldest = clock_.monotonicNs();
  for (const auto& [key, o] : open_) oldest = std::min(oldest, o.since_ns);
  return std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::nanoseconds(clock_.monotonicNs() - oldest));
}

void BindingService::act(const NetworkSnapshot& net, const Evaluation& found) {
  BindingSituation s;
  const bool enabled = policy_ && policy_->enabled();
  s.enabled = enabled;
  s.mode = enabled ? policy_->mode() : v1::BINDING_MODE_REPORT;
  s.violating = !open_.empty();
  for (const auto& v : found.violations) {
    // Another host on our address is not this PC's doing: reported, never a reason to isolate.
    if (v.kind() == v1::VIOLATION_KIND_IP_CONFLICT) continue;
    (isRestorable(v.kind()) ? s.restorable : s.unrestorable) = true;
  }
  s.in_violation = inViolation();
  s.grace = std::chrono::seconds(enabled ? policy_->grace_seconds() : 0);
  s.isolated = isolated_;
  s.restore_failed = restore_failed_;
  s.fighting = fights_ >= options_.fight_limit;
  const BindingDecision d = decide(s);
  if (d.leave) {
    leaveIsolation(!enabled        ? "binding is off"
                   : open_.empty() ? "compliant again"
                                   : "the mode no longer isolates");
  }
  if (d.wait_for.count() > 0)
    next_wait_ = std::min<std::chrono::milliseconds>(next_wait_, d.wait_for);
  if (d.restore) {
    restore(net, found);
    return;  // restore() checks again and acts on what is left
  }
  if (d.isolate) enterIsolation(found.violations.front());
}

bool BindingService::addressTaken(const NetworkSnapshot& net, const Evaluation& found) {
  const bool missing = std::any_of(found.violations.begin(), found.violations.end(),
                                   [](auto& v) { return v.kind() == v1::VIOLATION_KIND_WRONG_IP; });
  auto itf = std::find_if(net.interfaces.begin(), net.interfaces.end(),
                          [&](const InterfaceFacts& f) { return f.index == found.bound_index; });
  if (!missing || prober_ == nullptr || itf == net.interfaces.end() || itf->mac.empty()) {
    conflicts_.clear();
    return false;
  }
  const std::string ip = addressOf(policy_->ipv4());
  auto other = prober_->probe(itf->index, itf->mac, ip);
  if (!other.isOk()) {
    log()->warn("address probe for {}: {}", ip, other.status().toString());
    return false;  // cannot tell: restore as if free
  }
  const bool seen_before = !conflicts_.empty() && conflicts_[0].other_mac == other->value_or("");
  conflicts_.clear();
  if (!other->has_value()) return false;
  conflicts_.push_back({ip, **other});
  if (!seen_before) {
    log()->warn("address {} is in use by {}: not restored", ip, **other);
    v1::Violation v;
    v.set_kind(v1::VIOLATION_KIND_IP_CONFLICT);
    v.set_interface(itf->name);
    v.set_expected(ip);
    v.set_other_mac(**other);
    emit(v1::BindingEvent::KIND_CONFLICT_SEEN, &v, "ARP probe", Status::ok(),
         "another host answers for the assigned address");
  }
  return true;
}

void BindingService::restore(const NetworkSnapshot& net, const Evaluation& found) {
  if (addressTaken(net, found)) {
    track(evaluate(net));  // the conflict shows as a violation; the address stays off
    return;
  }
  const RestoreOutcome r = restoreAssignment(config_, net, found, *policy_);
  last_restore_ns_ = clock_.monotonicNs();
  const v1::Violation& first = found.violations.front();
  log()->info("{}: {}", r.action, r.status.isOk() ? "done" : r.status.toString());
  emit(v1::BindingEvent::KIND_ACTION_TAKEN, &first, r.action, r.status, "");
  auto again = net_.snapshot();
  if (!again.isOk()) return;
  const Evaluation after = evaluate(*again);
  track(after);
  restore_failed_ = std::any_of(after.violations.begin(), after.violations.end(),
                                [](const v1::Violation& v) { return isRestorable(v.kind()); });
  if (open_.empty()) return;
  BindingSituation s;
  s.enabled = true;
  s.mode = policy_->mode();
  s.violating = true;
  s.unrestorable = !restore_failed_;  // what is left is not for a restore
  s.restorable = false;
  s.in_violation = inViolation();
  s.grace = std::chrono::seconds(policy_->grace_seconds());
  s.isolated = isolated_;
  s.restore_failed = restore_failed_;
  if (decide(s).isolate) enterIsolation(after.violations.front());
}

void BindingService::enterIsolation(const v1::Violation& why) {
  auto resolved = resolveHostAddresses(options_.collector_host);
  if (resolved.isOk()) collector_addresses_ = *resolved;
  IsolationRules rules;
  rules.collector_addresses = collector_addresses_;
  rules.collector_port = options_.collector_port;
  rules.allow_dhcp = policy_->isolation_allow_dhcp();
  if (policy_->isolation_allow_dns())
    rules.dns_servers = {policy_->dns().begin(), policy_->dns().end()};
  Status st = collector_addresses_.empty()
                  ? Status(ErrorCode::kNotFound,
                           "the collector's address is not known: " + resolved.status().toString())
                  : isolation_.enter(rules);
  if (st.isOk()) isolated_ = true;
  log()->warn("isolation: {}", st.isOk() ? "entered" : st.toString());
  emit(v1::BindingEvent::KIND_ISOLATION_ENTERED, &why, "isolate (nftables)", st,
       "only the collector" + std::string(rules.allow_dhcp ? ", DHCP" : "") +
           (rules.dns_servers.empty() ? "" : ", DNS") + " reachable");
}

void BindingService::leaveIsolation(const std::string& why) {
  Status st = isolation_.leave();
  if (st.isOk()) isolated_ = false;
  log()->info("isolation left ({}): {}", why, st.isOk() ? "ok" : st.toString());
  emit(v1::BindingEvent::KIND_ISOLATION_LEFT, nullptr, "leave isolation", st, why);
}

Status BindingService::releaseIsolation() {
  std::lock_guard lock(mu_);
  auto active = isolation_.isActive();
  if (!isolated_ && active.isOk() && !*active) return Status::ok();
  leaveIsolation("released by root");
  publishLocked();
  return isolated_ ? Status(ErrorCode::kIo, "the isolation could not be removed") : Status::ok();
}

void BindingService::emit(v1::BindingEvent::Kind kind, const v1::Violation* v, std::string action,
                          const Status& outcome, std::string detail) {
  v1::BindingEvent e;
  e.set_kind(kind);
  if (v) *e.mutable_violation() = *v;
  e.set_action(std::move(action));
  if (!outcome.isOk())
    e.set_error_code(std::string(errorCodeName(outcome.code())) + ": " + outcome.message());
  e.set_detail(std::move(detail));
  reporter_.report(std::move(e));
}

v1::ComplianceStatus BindingService::status() const {
  std::lock_guard lock(published_mu_);
  return published_;
}

v1::ComplianceStatus BindingService::statusLocked() const {
  v1::ComplianceStatus s;
  if (!checked_) return s;
  if (!policy_ || !policy_->enabled()) {
    s.set_state(v1::COMPLIANCE_STATE_DISABLED);
  } else if (isolated_) {
    s.set_state(v1::COMPLIANCE_STATE_ISOLATED);
  } else {
    s.set_state(open_.empty() ? v1::COMPLIANCE_STATE_COMPLIANT : v1::COMPLIANCE_STATE_VIOLATION);
  }
  for (const auto& [key, o] : open_) *s.add_violations() = o.violation;
  if (last_check_) *s.mutable_last_check() = toTimestamp(*last_check_);
  s.set_isolated(isolated_);
  s.set_restore_fights(fights_);
  s.set_permanent_mac(permanent_mac_);
  return s;
}

}  // namespace xiaoan::agent::binding
