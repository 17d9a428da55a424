#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "agent/scan/quarantine.h"
#include "agent/scan/scan_engine.h"
#include "xiaoan/v1/event.pb.h"
#include "xiaoan/v1/policy.pb.h"

// What happens to a file that matched: per policy (ScanPolicy.action) it is reported, or
// quarantined (ENFORCE) and reported with the outcome; either way one DetectionEvent
// (security priority) goes through the event pipeline. A file an admin restored from the
// quarantine (and unchanged since) is only reported. Enforcement that did not happen (the
// quarantine failed, or had no room: QUARANTINE_SKIPPED) also sets the degraded condition
// "quarantine_enforcement", until a later quarantine succeeds (or, for no room, an admin made
// room). Thread-safe (scan threads call it).

namespace xiaoan::agent::scan {

// Event payloads of the scanner; the daemon adds the envelope (times, agent, boot) and spools
// them with the given priority.
using EventSink = std::function<void(v1::Event payload, v1::Priority priority)>;
// Sets (non-OK) or clears (OK) one degraded status condition.
using ConditionSink = std::function<void(const Status& status)>;

// Which scan a finding came from.
struct ScanOrigin {
  std::string scan_id;
  v1::ScanKind kind = v1::SCAN_KIND_UNSPECIFIED;
  uint64_t bundle_version = 0;
};

class DetectionHandler {
 public:
  // `quarantine` may be null (unavailable): ENFORCE then reports QUARANTINE_FAILED.
  DetectionHandler(Quarantine* quarantine, EventSink sink, ConditionSink condition = nullptr)
      : quarantine_(quarantine), sink_(std::move(sink)), condition_(std::move(condition)) {}

  static constexpr const char* kConditionKey = "quarantine_enforcement";

  void setAction(v1::EnforcementAction action) { action_ = action; }
  v1::EnforcementAction action() const { return action_.load(); }

  // Acts on `finding` and sends its event; returns the event (for tests and logs).
  v1::DetectionEvent handle(const Finding& finding, const ScanOrigin& origin);

  // An admin restored or deleted entries: a "no room" condition clears when the quarantine is
  // under both caps again (the reserve is judged at the next detection).
  void quarantineShrank();

 private:
  void quarantine(const Finding& finding, const ScanOrigin& origin, v1::DetectionEvent& event);
  void setProblem(const Status& problem, bool no_room);  // mu_ held

  Quarantine* quarantine_;
  EventSink sink_;
  ConditionSink condition_;
  std::mutex mu_;  // quarantine attempts and the condition's state and calls, in order
  bool problem_ = false;
  bool no_room_ = false;
  std::atomic<v1::EnforcementAction> action_{v1::ENFORCEMENT_ACTION_REPORT};
};

// The wire form of the rules that matched.
google::protobuf::RepeatedPtrField<v1::RuleMatch> toRuleMatches(
    const std::vector<sig::Match>& matches);

}  // namespace xiaoan::agent::scan
