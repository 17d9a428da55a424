#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/scan/detection_handler.h"
#include "agent/scan/on_access.h"
#include "agent/scan/pacer.h"
#include "agent/scan/quarantine.h"
#include "agent/scan/removable_media.h"
#include "agent/scan/scan_control.h"
#include "agent/scan/scan_engine.h"
#include "agent/scan/scan_job.h"
#include "agent/scan/scheduler.h"
#include "agent/scan/signature_loader.h"
#include "agent/scan/user_activity.h"
#include "platform/clock.h"
#include "xiaoan/v1/control.pb.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/status.pb.h"

// The agent's antivirus (issue 4, DESIGN.md §5): owns the scan engine, the signature loader
// and the quarantine, and runs
//  - on-demand scans (xiaoanctl scan; full speed),
//  - scheduled full scans per ScanPolicy (scheduler.h: interval, time windows, CPU cap and
//    read pacing through a ThrottlePacer, paused while the user is active, resumed after a
//    restart),
//  - on-access scans of files written in watched directories (on_access.h),
//  - scans of removable media when mounted (removable_media.h).
// Findings become DetectionEvents (and quarantine per policy), timeouts and crashes
// ScanFaultEvents, pass ends ScanSummaryEvents, all through the agent's event pipeline.
// Thread-safe.

namespace xiaoan::agent::scan {

struct ScanServiceOptions {
  std::string state_dir;
  std::string builtin_signatures_dir;
  unsigned on_demand_threads = 0;  // 0 = number of CPUs
};

struct ScanServiceHooks {
  EventSink on_event;
  // Sets (non-OK) or clears (OK) a degraded status condition, by key.
  std::function<void(const std::string& key, const Status&)> on_condition;
};

class ScanService final : public ScanControl {
 public:
  // `sessions`: the PC's users (homes for "~/" paths, activity for pausing scheduled scans).
  ScanService(ScanServiceOptions options, const Clock& clock, ScanServiceHooks hooks,
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
  using TimePoint = std::chrono::system_clock::time_point;

  void background();  // loads the rules, then runs the schedule loop
  void scheduleTick();
  ScheduleInput scheduleInput(TimePoint now, std::optional<std::chrono::seconds> idle,
                              bool running) const;
  void startScheduled();
  void onJobDone(ScanJob& job);
  void reapFinished();
  void recordFinished(v1::ScanProgress final_progress);
  void reportStartupFaults();
  void startWatchers();
  std::unique_ptr<OnAccessWatcher> makeOnAccessWatcher(const std::vector<std::string>& roots);
  std::unique_ptr<RemovableMediaWatcher> makeRemovableWatcher();
  void onAccessFiles(std::vector<std::string> files);
  void onAccessWorker();
  void onRemovableMount(const std::string& mount_point);
  void fillRules(v1::ScanStatus& s) const;
  bool fillRunning(v1::ScanStatus& s) const;
  v1::ScanState stateNow(bool any_running) const;
  void emit(v1::Event payload, v1::Priority priority);
  void condition(const std::string& key, const Status& st);
  void setRulesProblem(std::optional<Status> problem);  // nullopt: re-judge after a policy
  ScanRequest requestFor(v1::ScanKind kind, std::vector<std::string> roots) const;
  JobSpec backgroundSpec(ScanRequest request) const;
  PacerSettings pacing() const;
  Result<std::unique_ptr<ScanJob>> makeJob(JobSpec spec);

  const ScanServiceOptions options_;
  const Clock& clock_;
  const ScanServiceHooks hooks_;
  const std::unique_ptr<UserSessions> sessions_;
  std::unique_ptr<UserActivity> user_activity_;
  SystemPacerEnv pacer_env_;
  SignatureLoader loader_;
  ScheduleStore schedule_store_;
  std::unique_ptr<ScanEngine> engine_;
  std::unique_ptr<Quarantine> quarantine_;
  std::unique_ptr<DetectionHandler> detections_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false, started_ = false, policy_changed_ = true;
  v1::ScanPolicy policy_;    // effective (built-in defaults + running policy)
  v1::ScanStatus schedule_;  // persisted part (scheduler.h)
  std::optional<TimePoint> not_before_;
  Status rules_problem_;  // of the rules loaded at start (E_RULES_MISSING, set-aside bundle)
  v1::ScanState schedule_state_ = v1::SCAN_STATE_UNSPECIFIED;
  std::map<std::string, std::unique_ptr<ScanJob>> jobs_;  // running (and done, until reaped)
  std::string scheduled_id_;                              // the scheduled pass in jobs_
  std::deque<v1::ScanProgress> finished_;                 // recent ends, for get_scan
  uint64_t files_scanned_ = 0, detections_total_ = 0;
  double last_cpu_percent_ = 0;
  std::set<std::string> access_queue_;
  std::condition_variable access_wake_;
  std::unique_ptr<OnAccessWatcher> on_access_;
  std::unique_ptr<RemovableMediaWatcher> removable_;
  std::vector<std::string> on_access_roots_;
  std::thread background_, access_thread_;
};

// The roots of on-access watching: "~/x" expands to x below the home of every local account a
// person uses (LocalUser::is_person), other absolute paths stay.
std::vector<std::string> expandOnAccessPaths(const std::vector<std::string>& paths,
                                             const UserSessions& users);

}  // namespace xiaoan::agent::scan
