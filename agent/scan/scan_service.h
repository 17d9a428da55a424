#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/scan/detection_handler.h"
#include "agent/scan/pacer.h"
#include "agent/scan/quarantine.h"
#include "agent/scan/scan_control.h"
#include "agent/scan/scan_engine.h"
#include "agent/scan/scan_jobs.h"
#include "agent/scan/scan_reporter.h"
#include "agent/scan/scan_requests.h"
#include "agent/scan/scheduled_scans.h"
#include "agent/scan/signature_loader.h"
#include "agent/scan/user_activity.h"
#include "agent/scan/watch_scans.h"
#include "platform/clock.h"
#include "xiaoan/v1/control.pb.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/status.pb.h"

// The agent's antivirus (issue 4, DESIGN.md §5): owns the scan engine, the signature loader
// and the quarantine, and runs
//  - on-demand scans (xiaoanctl scan; full speed),
//  - scheduled full scans per ScanPolicy (ScheduledScans: interval, time windows, CPU cap and
//    read pacing, paused while the user is active, resumed after a restart),
//  - on-access scans of files written in watched directories and scans of removable media
//    when mounted (WatchScans),
// all of them passes in one registry (ScanJobs). Findings become DetectionEvents (and
// quarantine per policy), timeouts and crashes ScanFaultEvents, pass ends ScanSummaryEvents,
// all through the ScanReporter. Thread-safe.
//
// Lock order (an arrow: the right one may be taken while the left one is held, never the
// reverse): ScanService::mu_ -> ScheduledScans -> ScanJobs, and ScanService::mu_ -> WatchScans
// -> ScanJobs. ScanJobs' lock is innermost (the ScanJobs' passes and the signature loader's
// lock aside). Threads are joined holding none; the reporter is called holding none.

namespace xiaoan::agent::scan {

struct ScanServiceOptions {
  std::string state_dir;
  std::string builtin_signatures_dir;
  unsigned on_demand_threads = 0;  // 0 = number of CPUs
};

class ScanService final : public ScanControl {
 public:
  // `sessions`: the PC's users (homes for "~/" paths, activity for pausing scheduled scans).
  // `clock` and `reporter` must outlive the service.
  ScanService(ScanServiceOptions options, const Clock& clock, ScanReporter& reporter,
              std::unique_ptr<UserSessions> sessions);
  ~ScanService() override;
  ScanService(const ScanService&) = delete;
  ScanService& operator=(const ScanService&) = delete;

  // Opens the engine (reporting files that crashed it last time) and the quarantine, then
  // loads the rules and runs the schedule on a thread of its own; returns at once.
  Status start();
  void stop();

  // The running policy (nullptr: none; the built-in defaults apply).
  void applyPolicy(const v1::Policy* policy);

  SignatureLoader& signatures() { return loader_; }

  // ScanControl (the control handler checks permissions).
  Result<v1::ScanProgress> startScan(const std::vector<std::string>& paths) override;
  Result<v1::ScanProgress> getScan(const std::string& scan_id) const override;
  Result<v1::ScanProgress> cancelScan(const std::string& scan_id) override;
  Result<v1::QuarantineList> quarantineList() const override;
  Result<v1::QuarantineEntry> quarantineAction(const v1::QuarantineActionRequest& request,
                                               uint32_t by_uid) override;

  v1::ScanStatus status() const;

 private:
  void openQuarantine();
  void background();  // loads the rules, then runs the schedule loop
  void reportStartupFaults();
  void setRulesProblem(std::optional<Status> problem);  // nullopt: re-judge after a policy
  Result<std::unique_ptr<ScanJob>> makeJob(JobSpec spec, ScanJob::OnDone on_done);

  const ScanServiceOptions options_;
  const Clock& clock_;
  ScanReporter& reporter_;
  const std::unique_ptr<UserSessions> sessions_;
  const ScanRequestBuilder requests_;
  SystemPacerEnv pacer_env_;
  SignatureLoader loader_;
  std::unique_ptr<ScanEngine> engine_;
  std::unique_ptr<Quarantine> quarantine_;
  std::unique_ptr<DetectionHandler> detections_;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // the background loop: a pass ended, a policy, stopping
  bool stopping_ = false, started_ = false, policy_changed_ = true;
  v1::ScanPolicy policy_;  // effective (built-in defaults + running policy)
  Status rules_problem_;   // of the rules loaded at start (E_RULES_MISSING, set-aside bundle)

  // The parts; they use the members above, and the passes in jobs_ end before those go.
  ScanJobs jobs_;
  ScheduledScans scheduled_;
  WatchScans watch_;
  std::thread background_;
};

}  // namespace xiaoan::agent::scan
