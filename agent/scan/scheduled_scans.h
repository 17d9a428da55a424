#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "agent/scan/scan_jobs.h"
#include "agent/scan/scan_requests.h"
#include "agent/scan/scheduler.h"
#include "agent/scan/signature_loader.h"
#include "agent/scan/user_activity.h"
#include "platform/clock.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::scan {

// Scheduled full scans (scheduler.h): the persisted schedule (last full scan, the pending
// pass), the tick that decides on it (interval, time windows, user activity, rules) and starts,
// pauses, resumes or stops the scheduled pass, and the record of its end. A failed or
// cancelled pass is not retried for an hour. Thread-safe.
//
// Locks: its own, then (inside) the job registry's; never the other way round.
class ScheduledScans {
 public:
  ScheduledScans(ScanJobs& jobs, const ScanRequestBuilder& requests, const SignatureLoader& loader,
                 const UserSessions& sessions, const Clock& clock, const std::string& state_dir);
  ScheduledScans(const ScheduledScans&) = delete;
  ScheduledScans& operator=(const ScheduledScans&) = delete;

  // Reads the persisted schedule (at start).
  void load();
  // The effective policy; re-paces the scheduled pass under way.
  void setPolicy(const v1::ScanPolicy& policy);
  // One decision (on the service's loop): may start, pause, resume or stop the pass.
  void tick();
  // No pass is started from now on.
  void stop();

  // Fills the last full scan (without skipped paths: those are for root, through get_scan);
  // returns what the last decision said about scheduled scanning.
  v1::ScanState fillStatus(v1::ScanStatus& s) const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;

  ScheduleInput scheduleInput(TimePoint now, std::optional<std::chrono::seconds> idle,
                              bool running) const;
  void act(ScheduleAction action);
  void startPass();
  void addPending(const ScanRequest& request);
  void onPassEnd(ScanJob& job);  // on the pass's thread
  void save() const;

  ScanJobs& jobs_;
  const ScanRequestBuilder& requests_;
  const SignatureLoader& loader_;
  const Clock& clock_;
  UserActivity user_activity_;
  ScheduleStore store_;

  mutable std::mutex mu_;
  bool stopping_ = false;
  v1::ScanPolicy policy_;
  v1::ScanStatus schedule_;  // persisted part (scheduler.h)
  std::optional<TimePoint> not_before_;
  v1::ScanState state_ = v1::SCAN_STATE_UNSPECIFIED;  // of the last decision
  std::string scan_id_;                               // of the last pass started
};

}  // namespace xiaoan::agent::scan
