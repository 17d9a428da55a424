#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/scan/detection_handler.h"
#include "agent/scan/pacer.h"
#include "agent/scan/scan_engine.h"
#include "platform/clock.h"

// One scan pass of the service on its own thread: runs the engine, turns findings into
// detections (DetectionHandler) and timeouts into ScanFaultEvents, and at the end sends the
// ScanSummaryEvent (activity priority). Background passes (scheduled, removable media) run
// under a ThrottlePacer; on-demand and on-access passes at full speed.

namespace xiaoan::agent::scan {

struct JobSpec {
  ScanRequest request;
  std::shared_ptr<const sig::ScanRules> rules;
  std::optional<PacerSettings> pacing;  // nullopt: full speed
  uint32_t cpu_cap_percent = 0;         // for the summary
  bool quiet_summary = false;           // send the summary only when it has something to report
};

class ScanJob final : public ScanObserver {
 public:
  static constexpr size_t kMaxDetectedKept = 100;
  using OnDone = std::function<void(ScanJob&)>;
  ScanJob(ScanEngine& engine, JobSpec spec, DetectionHandler& detections, EventSink sink,
          const Clock& clock, const PacerEnv& pacer_env, OnDone on_done);
  ~ScanJob() override;
  ScanJob(const ScanJob&) = delete;
  ScanJob& operator=(const ScanJob&) = delete;

  void start();
  // Asks the pass to stop; `cancelled` (by a person) rather than interrupted (agent stop,
  // policy change). Returns at once; join() waits.
  void stop(bool cancelled);
  void join();

  bool done() const { return done_.load(); }
  // Called by the owner's OnDone under the owner's lock, where it records the finished pass, so
  // that its status never sees the pass both recorded and still running. Set after OnDone
  // returns otherwise.
  void markDone() { done_ = true; }
  const ScanRequest& request() const { return spec_.request; }
  ThrottlePacer* pacer() { return pacer_.get(); }
  // Live progress, or the final one with its summary once done.
  v1::ScanProgress progress() const;
  // Set once done.
  std::optional<v1::ScanSummaryEvent> summary() const;

  void onFinding(const Finding& finding) override;
  void onFault(const Fault& fault) override;

 private:
  void run();
  v1::ScanSummaryEvent finish(Result<v1::ScanSummaryEvent> result);
  bool worthReporting(const v1::ScanSummaryEvent& s) const;

  ScanEngine& engine_;
  const JobSpec spec_;
  DetectionHandler& detections_;
  EventSink sink_;
  const Clock& clock_;
  OnDone on_done_;
  std::atomic<bool> stop_{false}, cancelled_{false}, done_{false};
  std::atomic<uint64_t> findings_{0}, faults_{0};
  std::unique_ptr<ThrottlePacer> pacer_;
  std::chrono::system_clock::time_point started_at_;
  mutable std::mutex mu_;
  std::optional<v1::ScanSummaryEvent> summary_;
  std::vector<v1::DetectionEvent> detected_;  // the first kMaxDetectedKept
  std::thread thread_;
};

// The counters of a pass that ended, from its summary (with the summary).
v1::ScanProgress progressOf(const v1::ScanSummaryEvent& summary);

// 16 hex digits, random.
std::string newScanId();

}  // namespace xiaoan::agent::scan
