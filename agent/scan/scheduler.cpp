#include "agent/scan/scheduler.h"

#include <cstdio>

#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

bool due(const ScheduleInput& in) {
  if (in.not_before && in.now < *in.not_before) return false;
  if (in.pending || !in.last_full_scan) return true;
  return in.now - *in.last_full_scan >= std::chrono::hours(24) * in.interval_days;
}

// Why a scheduled pass may not go on now; IDLE when it may.
v1::ScanState holdReason(const ScheduleInput& in) {
  if (!in.in_window) return v1::SCAN_STATE_WAITING_WINDOW;
  if (in.user_active) return v1::SCAN_STATE_PAUSED_USER_ACTIVE;
  return v1::SCAN_STATE_IDLE;
}

}  // namespace

ScheduleDecision decide(const ScheduleInput& in) {
  if (!in.enabled) {
    return {in.job_running ? ScheduleAction::kStop : ScheduleAction::kNone,
            v1::SCAN_STATE_DISABLED};
  }
  const v1::ScanState hold = holdReason(in);
  if (in.job_running) {
    if (hold != v1::SCAN_STATE_IDLE) return {ScheduleAction::kPause, hold};
    return {ScheduleAction::kResume, v1::SCAN_STATE_RUNNING};
  }
  if (!in.has_rules) return {ScheduleAction::kNone, v1::SCAN_STATE_NO_RULES};
  if (!due(in)) return {ScheduleAction::kNone, v1::SCAN_STATE_IDLE};
  if (hold != v1::SCAN_STATE_IDLE) return {ScheduleAction::kNone, hold};
  return {ScheduleAction::kStart, v1::SCAN_STATE_RUNNING};
}

ScheduleStore::ScheduleStore(const std::string& state_dir) : dir_(state_dir + "/scan") {}

v1::ScanStatus ScheduleStore::load() const {
  v1::ScanStatus s;
  auto bytes = readFile(path(), 1 << 20);
  if (!bytes.isOk()) {
    if (bytes.status().code() != ErrorCode::kNotFound) {
      componentLogger(LogComponent::kAgentScan)->warn("schedule: {}", bytes.status().toString());
    }
    return s;
  }
  if (!s.ParseFromString(*bytes) || s.running_size() > 1) {
    const std::string bad = path() + ".bad";
    componentLogger(LogComponent::kAgentScan)
        ->warn("{} is damaged; moved to {}, the next full scan starts afresh", path(), bad);
    std::rename(path().c_str(), bad.c_str());
    return v1::ScanStatus();
  }
  return s;
}

Status ScheduleStore::save(const v1::ScanStatus& state) const {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir_, 0700));
  return atomicWriteFile(path(), state.SerializeAsString(), 0600);
}

}  // namespace xiaoan::agent::scan
