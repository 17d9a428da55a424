// ScanService: the control commands (xiaoanctl scan / quarantine).
#include "agent/scan/path_text.h"
#include "agent/scan/scan_service.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kMaxScanPaths = 64;
constexpr size_t kMaxPathBytes = 64 * 1024;  // the engine handles paths beyond PATH_MAX
constexpr size_t kMaxOnDemandScans = 4;

Status checkPaths(const std::vector<std::string>& paths) {
  if (paths.empty() || paths.size() > kMaxScanPaths) {
    return Status(ErrorCode::kInvalidArgument, "scan needs 1..64 paths");
  }
  for (const auto& p : paths) {
    if (p.empty() || p.front() != '/' || p.size() > kMaxPathBytes ||
        p.find('\0') != std::string::npos) {
      return Status(ErrorCode::kInvalidArgument,
                    "scan paths must be absolute: " + displayPath(p.substr(0, 256)));
    }
  }
  return Status::ok();
}

}  // namespace

Result<v1::ScanProgress> ScanService::startScan(const std::vector<std::string>& paths) {
  XIAOAN_RETURN_IF_ERROR(checkPaths(paths));
  JobSpec spec;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !started_) return Status(ErrorCode::kUnsupported, "scanning is stopping");
    spec.request = requests_.request(policy_, v1::SCAN_KIND_ON_DEMAND, paths);
  }
  XIAOAN_ASSIGN_OR_RETURN(auto progress, jobs_.launch(std::move(spec), nullptr, kMaxOnDemandScans));
  componentLogger(LogComponent::kAgentScan)
      ->info("on-demand scan {} of {} path(s)", progress.scan_id(), paths.size());
  return progress;
}

Result<v1::ScanProgress> ScanService::getScan(const std::string& scan_id) const {
  return jobs_.get(scan_id);
}

Result<v1::ScanProgress> ScanService::cancelScan(const std::string& scan_id) {
  auto progress = jobs_.cancel(scan_id);
  if (progress.isOk())
    componentLogger(LogComponent::kAgentScan)->info("scan {} cancelled", scan_id);
  return progress;
}

Result<v1::QuarantineList> ScanService::quarantineList() const {
  if (!quarantine_) return Status(ErrorCode::kQuarantine, "quarantine unavailable (see status)");
  v1::QuarantineList out;
  for (auto& e : quarantine_->list()) *out.add_entries() = std::move(e);
  return out;
}

Result<v1::QuarantineEntry> ScanService::quarantineAction(
    const v1::QuarantineActionRequest& request, uint32_t by_uid) {
  if (!quarantine_) return Status(ErrorCode::kQuarantine, "quarantine unavailable (see status)");
  v1::QuarantineActionEvent e;
  e.set_by_uid(by_uid);
  Result<v1::QuarantineEntry> entry = Status(ErrorCode::kInvalidArgument, "restore or delete?");
  if (request.kind() == v1::QuarantineActionRequest::KIND_RESTORE) {
    std::string to;
    entry = quarantine_->restore(request.id(), request.restore_to(), &to);
    e.set_kind(v1::QuarantineActionEvent::KIND_RESTORED);
    e.set_restored_to(displayPath(to));
  } else if (request.kind() == v1::QuarantineActionRequest::KIND_DELETE) {
    entry = quarantine_->remove(request.id());
    e.set_kind(v1::QuarantineActionEvent::KIND_DELETED);
  }
  if (!entry.isOk()) return entry.status();
  if (detections_) detections_->quarantineShrank();
  *e.mutable_entry() = *entry;
  componentLogger(LogComponent::kAgentScan)
      ->warn("quarantine entry {} ({}) {} by uid {}", entry->id(), entry->path(),
             e.kind() == v1::QuarantineActionEvent::KIND_RESTORED ? "restored to " + e.restored_to()
                                                                  : "deleted",
             by_uid);
  v1::Event payload;
  *payload.mutable_quarantine_action() = std::move(e);
  reporter_.emit(std::move(payload), v1::PRIORITY_SECURITY);
  return entry;
}

}  // namespace xiaoan::agent::scan
