#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/scan/on_access.h"
#include "agent/scan/removable_media.h"
#include "agent/scan/scan_jobs.h"
#include "agent/scan/scan_reporter.h"
#include "agent/scan/scan_requests.h"
#include "agent/scan/user_activity.h"
#include "platform/clock.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::scan {

// Watch-triggered scans: the on-access watcher (files written in watched directories, queued
// and scanned in passes of up to 256 files by a worker thread of its own, one pass at a time)
// and the removable-media watcher (a paced background pass per mount). Thread-safe.
//
// Locks: its own, then (inside) the job registry's. The watchers call in on their threads
// taking its lock, so they are started and stopped without it.
class WatchScans {
 public:
  // `state_dir` is never watched (our own files).
  WatchScans(ScanJobs& jobs, const ScanRequestBuilder& requests, const UserSessions& sessions,
             const Clock& clock, ScanReporter& reporter, std::string state_dir);
  ~WatchScans();  // join()
  WatchScans(const WatchScans&) = delete;
  WatchScans& operator=(const WatchScans&) = delete;

  // Starts the on-access worker.
  void start();
  // The effective policy; the watchers follow it at the next refreshWatchers().
  void setPolicy(const v1::ScanPolicy& policy);
  // (Re)creates the watchers the policy asks for, if they changed. Holding no lock.
  void refreshWatchers();
  uint32_t watchedRoots() const;

  // No pass is started from now on; the worker ends (once its pass ends).
  void beginStop();
  // Joins the worker and stops the watchers. Holding no lock.
  void join();

 private:
  std::unique_ptr<OnAccessWatcher> makeOnAccessWatcher(const std::vector<std::string>& roots);
  std::unique_ptr<RemovableMediaWatcher> makeRemovableWatcher();
  void onAccessFiles(std::vector<std::string> files);
  void worker();
  void onRemovableMount(const std::string& mount_point);

  ScanJobs& jobs_;
  const ScanRequestBuilder& requests_;
  const UserSessions& sessions_;
  const Clock& clock_;
  ScanReporter& reporter_;
  const std::string state_dir_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  v1::ScanPolicy policy_;
  std::set<std::string> queue_;  // files written, waiting for an on-access pass
  std::unique_ptr<OnAccessWatcher> on_access_;
  std::unique_ptr<RemovableMediaWatcher> removable_;
  std::vector<std::string> on_access_roots_;
  std::thread thread_;
};

// The roots of on-access watching: "~/x" expands to x below the home of every local account a
// person uses (LocalUser::is_person), other absolute paths stay.
std::vector<std::string> expandOnAccessPaths(const std::vector<std::string>& paths,
                                             const UserSessions& users);

}  // namespace xiaoan::agent::scan
