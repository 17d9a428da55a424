#include "agent/scan/detection_handler.h"

#include "agent/scan/path_text.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {

google::protobuf::RepeatedPtrField<v1::RuleMatch> toRuleMatches(
    const std::vector<sig::Match>& matches) {
  google::protobuf::RepeatedPtrField<v1::RuleMatch> out;
  for (const auto& m : matches) {
    auto* r = out.Add();
    r->set_rule(m.rule);
    r->set_namespace_(m.rule_namespace);
    for (const auto& t : m.tags) r->add_tags(t);
  }
  return out;
}

v1::DetectionEvent DetectionHandler::handle(const Finding& finding, const ScanOrigin& origin) {
  v1::DetectionEvent e;
  setPathFields(finding.path, e.mutable_path(), e.mutable_raw_path());
  e.set_size(finding.size);
  e.set_sha256(std::string(finding.sha256.begin(), finding.sha256.end()));
  e.set_owner(ownerName(finding.uid));
  e.set_uid(finding.uid);
  *e.mutable_matches() = toRuleMatches(finding.matches);
  e.set_bundle_version(origin.bundle_version);
  e.set_scan_kind(origin.kind);
  e.set_scan_id(origin.scan_id);
  e.mutable_mtime()->set_seconds(finding.mtime_ns / 1'000'000'000);
  e.mutable_mtime()->set_nanos(static_cast<int32_t>(finding.mtime_ns % 1'000'000'000));
  // A file an admin restored from quarantine is a declared false positive: reported only.
  const bool restored =
      quarantine_ != nullptr &&
      quarantine_->wasRestored(finding.dev, finding.ino, finding.size, finding.mtime_ns);
  if (action_.load() == v1::ENFORCEMENT_ACTION_ENFORCE && !restored) {
    quarantine(finding, origin, e);
  } else {
    e.set_action(v1::DETECTION_ACTION_REPORTED);
  }
  std::string rules;
  for (const auto& m : e.matches()) rules += (rules.empty() ? "" : ",") + m.rule();
  componentLogger(LogComponent::kAgentScan)
      ->warn("detection: {} matches {} ({})", e.path(), rules,
             v1::DetectionAction_Name(e.action()));
  v1::Event payload;
  *payload.mutable_detection() = e;
  if (sink_) sink_(std::move(payload), v1::PRIORITY_SECURITY);
  return e;
}

// Under mu_ from the attempt to the condition: the condition always follows the latest outcome
// (a success on one scan thread cannot clear what a later refusal on another has set).
void DetectionHandler::quarantine(const Finding& finding, const ScanOrigin& origin,
                                  v1::DetectionEvent& event) {
  std::lock_guard lock(mu_);
  Status failed(ErrorCode::kQuarantine, "quarantine unavailable (see status)");
  QuarantineRefusal why = QuarantineRefusal::kFailed;
  if (quarantine_ != nullptr) {
    QuarantineRequest req{finding.path, finding.dev, finding.ino, {}, origin.bundle_version};
    for (const auto& m : event.matches()) req.matches.push_back(m);
    auto entry = quarantine_->add(req, &why);
    if (entry.isOk()) {
      event.set_action(v1::DETECTION_ACTION_QUARANTINED);
      event.set_quarantine_id(entry->id());
      setProblem(Status::ok(), false);
      return;
    }
    failed = entry.status();
  }
  const bool no_room = why == QuarantineRefusal::kNoRoom;
  event.set_action(no_room ? v1::DETECTION_ACTION_QUARANTINE_SKIPPED
                           : v1::DETECTION_ACTION_QUARANTINE_FAILED);
  event.mutable_error()->set_code(std::string(errorCodeName(failed.code())));
  event.mutable_error()->set_message(failed.message());
  const std::string what = no_room ? "detections are not quarantined: " : "quarantine failed: ";
  setProblem(Status(failed.code(), what + failed.message()), no_room);
}

void DetectionHandler::setProblem(const Status& problem, bool no_room) {
  if (problem.isOk() && !problem_) return;  // nothing to clear: no call per detection
  problem_ = !problem.isOk();
  no_room_ = problem_ && no_room;
  if (condition_) condition_(problem);
}

void DetectionHandler::quarantineShrank() {
  if (quarantine_ == nullptr) return;
  const QuarantineUsage used = quarantine_->usage();
  const QuarantineLimits limits = quarantine_->limits();
  std::lock_guard lock(mu_);
  if (!problem_ || !no_room_ || used.files >= limits.max_files || used.bytes >= limits.max_bytes) {
    return;
  }
  problem_ = no_room_ = false;
  if (condition_) condition_(Status::ok());
}

}  // namespace xiaoan::agent::scan
