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
  std::lock_guard lock(mu_);
  if (stopping_ || !engine_) return Status(ErrorCode::kUnsupported, "scanning is stopping");
  size_t on_demand = 0;
  for (const auto& [id, job] : jobs_) {
    if (!job->done() && job->request().kind == v1::SCAN_KIND_ON_DEMAND) ++on_demand;
  }
  if (on_demand >= kMaxOnDemandScans) {
    return Status(ErrorCode::kOverloaded,
                  std::to_string(on_demand) + " on-demand scans are running; wait for one to end");
  }
  JobSpec spec;
  spec.request = requestFor(v1::SCAN_KIND_ON_DEMAND, paths);
  XIAOAN_ASSIGN_OR_RETURN(auto job, makeJob(std::move(spec)));
  const std::string id = job->request().scan_id;
  componentLogger(LogComponent::kAgentScan)->info("on-demand scan {} of {} path(s)", id, paths.size());
  job->start();
  auto* raw = job.get();
  jobs_[id] = std::move(job);
  v1::ScanProgress p = raw->progress();
  p.set_scan_id(id);
  p.set_kind(v1::SCAN_KIND_ON_DEMAND);
  return p;
}

Result<v1::ScanProgress> ScanService::getScan(const std::string& scan_id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it != jobs_.end()) return it->second->progress();
  for (auto f = finished_.rbegin(); f != finished_.rend(); ++f) {
    if (f->scan_id() == scan_id) return *f;
  }
  return Status(ErrorCode::kNotFound, "no scan " + displayPath(scan_id.substr(0, 64)));
}

Result<v1::ScanProgress> ScanService::cancelScan(const std::string& scan_id) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(scan_id);
  if (it == jobs_.end()) {
    return Status(ErrorCode::kNotFound, "no running scan " + displayPath(scan_id.substr(0, 64)));
  }
  componentLogger(LogComponent::kAgentScan)->info("scan {} cancelled", scan_id);
  it->second->stop(true);
  return it->second->progress();
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
  *e.mutable_entry() = *entry;
  componentLogger(LogComponent::kAgentScan)
      ->warn("quarantine entry {} ({}) {} by uid {}", entry->id(), entry->path(),
             e.kind() == v1::QuarantineActionEvent::KIND_RESTORED ? "restored to " + e.restored_to()
                                                                  : "deleted",
             by_uid);
  v1::Event payload;
  *payload.mutable_quarantine_action() = std::move(e);
  emit(std::move(payload), v1::PRIORITY_SECURITY);
  return entry;
}

}  // namespace xiaoan::agent::scan
