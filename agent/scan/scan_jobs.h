#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/scan/scan_job.h"
#include "platform/result.h"
#include "xiaoan/v1/control.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::scan {

// The service's scan passes: those running (and those done, until reaped), the ends of recent
// passes (for get_scan) and the counters since start. Thread-safe.
//
// Its lock is the innermost of the service: the other parts call it while holding their own,
// and it calls nothing outside while holding it except the passes themselves (ScanJob) and the
// job maker, which must not take a lock of another part.
class ScanJobs {
 public:
  // Makes (does not start) a pass; E_RULES_MISSING when no rules are loaded.
  using MakeJob = std::function<Result<std::unique_ptr<ScanJob>>(JobSpec, ScanJob::OnDone)>;

  // `on_pass_end`: called on a pass's thread once it ended (no lock held), e.g. to reap soon.
  ScanJobs(MakeJob make_job, std::function<void()> on_pass_end);
  ~ScanJobs();
  ScanJobs(const ScanJobs&) = delete;
  ScanJobs& operator=(const ScanJobs&) = delete;

  // Makes and starts a pass; its progress, with id and kind. `on_done` runs on the pass's thread
  // when it ends and must call finish(job) (empty: just that). With `max_same_kind`,
  // E_OVERLOADED when that many passes of the kind run. E_UNSUPPORTED once stopping.
  Result<v1::ScanProgress> launch(JobSpec spec, ScanJob::OnDone on_done = nullptr,
                                  size_t max_same_kind = 0);
  // Records the end of `job` and marks it done, under one lock: status never shows a pass both
  // recorded and running. On-access passes are counted, not kept (nobody polls them).
  void finish(ScanJob& job);

  bool isRunning(const std::string& scan_id) const;
  // Runs `fn` on the pass under the registry's lock; false when there is no such pass.
  bool withJob(const std::string& scan_id, const std::function<void(ScanJob&)>& fn);
  // Progress of a pass in the registry, or the end of a recent one; E_NOT_FOUND otherwise.
  Result<v1::ScanProgress> get(const std::string& scan_id) const;
  Result<v1::ScanProgress> cancel(const std::string& scan_id);

  // Joins the pass (without the lock) and drops it: on-access passes, by their worker.
  void joinAndDrop(const std::string& scan_id);
  // Joins and drops the passes done (not on-access ones), then gives their memory back.
  void reap();

  // Counters since start including the passes under way, and those passes (on-access ones are
  // many and short: counted, not listed). True when any pass runs.
  bool fillRunning(v1::ScanStatus& s) const;

  // Asks every pass to stop and refuses new ones.
  void stopAll();
  // Joins and drops every pass; call holding no lock of the service (passes end through it).
  void drain();

 private:
  void recordFinished(v1::ScanProgress final_progress);

  const MakeJob make_job_;
  const std::function<void()> on_pass_end_;
  mutable std::mutex mu_;
  bool stopping_ = false;
  std::map<std::string, std::unique_ptr<ScanJob>> jobs_;  // running (and done, until reaped)
  std::deque<v1::ScanProgress> finished_;                 // recent ends, for get_scan
  uint64_t files_scanned_ = 0, detections_total_ = 0;
  double last_cpu_percent_ = 0;  // of the last scheduled pass reaped
};

}  // namespace xiaoan::agent::scan
