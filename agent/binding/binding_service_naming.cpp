// The naming half of BindingService: the hostname checked (and per naming.action fixed) at every
// check, with its own violation episodes so that a wrong name never drives restore or isolation.
#include "agent/binding/binding_service.h"
#include "common/proto_time.h"
#include "platform/logging.h"

namespace xiaoan::agent::binding {
namespace {

std::shared_ptr<spdlog::logger> log() { return componentLogger(LogComponent::kAgentCore); }

std::string namingKey(const v1::Violation& v) {
  return v1::ViolationKind_Name(v.kind()) + "|" + v.expected();
}

}  // namespace

void BindingService::checkNamingLocked() {
  if (hostnames_ == nullptr) return;
  NamingCheck c = naming_ ? hostnames_->check(*naming_) : NamingCheck{};
  expected_hostname_ = c.expected_hostname;
  naming_note_ = c.note;
  // What was wrong is reported before what was done about it.
  trackNaming(c.found);
  if (c.renamed || !c.rename_status.isOk()) {
    const v1::Violation* v = c.found.empty() ? nullptr : &c.found.front();
    const std::string action = "rename to " + c.expected_hostname;
    log()->warn("naming: {}: {}", action, c.renamed ? "done" : c.rename_status.toString());
    emit(v1::BindingEvent::KIND_ACTION_TAKEN, v, action, c.rename_status, "");
    if (c.renamed) {
      emit(c.pending_reboot ? v1::BindingEvent::KIND_RENAME_PENDING
                            : v1::BindingEvent::KIND_RENAME_DONE,
           v, action, Status::ok(), c.pending_reboot ? "takes effect at the next reboot" : "");
    }
  }
  rename_pending_reboot_ = !c.found.empty() && c.pending_reboot;
  trackNaming(c.violations);
}

// Opens and closes naming episodes, reporting each change once (like track() for binding).
void BindingService::trackNaming(const std::vector<v1::Violation>& found) {
  std::map<std::string, Open> next;
  for (const auto& v : found) {
    const std::string key = namingKey(v);
    auto it = naming_open_.find(key);
    if (it != naming_open_.end()) {
      next.emplace(key, it->second);
      continue;
    }
    Open o{v, clock_.monotonicNs()};
    *o.violation.mutable_since() = toTimestamp(clock_.now());
    log()->warn("binding violation: {}: expected {}, have {}", v1::ViolationKind_Name(v.kind()),
                v.expected(), v.actual());
    emit(v1::BindingEvent::KIND_VIOLATION_DETECTED, &o.violation, "", Status::ok(), "");
    next.emplace(key, std::move(o));
  }
  for (const auto& [key, o] : naming_open_) {
    if (next.count(key)) continue;
    log()->info("binding violation cleared: {}", v1::ViolationKind_Name(o.violation.kind()));
    emit(v1::BindingEvent::KIND_VIOLATION_CLEARED, &o.violation, "", Status::ok(),
         naming_ && naming_->enabled() ? "" : "naming is off");
  }
  naming_open_ = std::move(next);
}

}  // namespace xiaoan::agent::binding
