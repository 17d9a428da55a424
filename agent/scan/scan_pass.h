#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "agent/scan/crash_marker.h"
#include "agent/scan/fault_list.h"
#include "agent/scan/file_reader.h"
#include "agent/scan/result_cache.h"
#include "agent/scan/scan_counters.h"
#include "agent/scan/scan_engine.h"
#include "agent/scan/scan_externals.h"
#include "agent/scan/work_queue.h"

// One run of the engine: a walker thread feeds open files through a bounded queue to N scan
// threads, each owning one scanner for the whole pass; the calling thread coordinates (stop
// requests, periodic cache saves) and builds the summary.

namespace xiaoan::agent::scan {

// What a pass borrows from the engine.
struct PassEnv {
  ResultCache* cache = nullptr;
  FaultList* faults = nullptr;
  BigFileGate* big_files = nullptr;
  FileWalker* walker = nullptr;
  std::string marker_prefix;  // "<state>/scan/inflight.<serial>." + thread index
};

class ScanPass {
 public:
  ScanPass(const ScanRequest& request, std::shared_ptr<const sig::ScanRules> rules,
           ScanObserver& observer, Pacer* pacer, const std::atomic<bool>& stop, PassEnv env);
  ~ScanPass();

  Result<v1::ScanSummaryEvent> run();
  void progress(v1::ScanProgress* out) const;

 private:
  struct Worker;
  class Visitor;

  bool onWalkedFile(const WalkEntry& entry);
  void onWalkSkip(WalkSkip reason, std::string_view path, uint64_t count);
  void walkerMain();
  void workerMain(Worker* w);
  void scanItem(Worker& w);
  bool loadItem(Worker& w, std::span<const uint8_t>* data);
  void setMarker(Worker& w);
  void finishScan(Worker& w, Result<std::vector<sig::Match>>& matches,
                  std::span<const uint8_t> data);
  void onScanError(Worker& w, const Status& error);
  void report(Worker& w, const FileStat& now, std::span<const uint8_t> data,
              std::vector<sig::Match> matches);
  Status startWorkers();
  void threadDone();
  void coordinate();
  void fail(const Status& status);
  void abort();
  // True when the pass must end: aborted, or the caller asked to stop (then it aborts).
  bool shouldStop();
  v1::ScanSummaryEvent summary(int64_t started_ns) const;

  const ScanRequest& request_;
  std::shared_ptr<const sig::ScanRules> rules_;
  const uint64_t bundle_;
  ScanObserver& observer_;
  Pacer* const pacer_;
  const std::atomic<bool>& stop_;
  PassEnv env_;
  uint64_t start_mono_ns_ = 0;

  PassCounters counters_;
  WorkQueue queue_;
  std::atomic<bool> aborted_{false};
  std::atomic<bool> interrupted_{false};  // stopped before the end (stop flag or pacer)
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  unsigned running_ = 0;  // threads not finished yet, under done_mu_
  Status failure_;        // first fatal error, under done_mu_
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace xiaoan::agent::scan
