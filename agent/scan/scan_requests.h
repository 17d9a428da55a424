#pragma once

#include <string>
#include <vector>

#include "agent/scan/pacer.h"
#include "agent/scan/scan_engine.h"
#include "agent/scan/scan_job.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::scan {

// Turns the effective ScanPolicy into what a pass runs with: its request (roots, exclusions,
// limits, threads, cache use by kind) and, for background passes, their pacing. Pure: the
// policy is passed in by the caller, which holds it under its own lock. Immutable, so
// thread-safe.
class ScanRequestBuilder {
 public:
  // `state_dir`: our own files, never scanned. `on_demand_threads`: 0 = number of CPUs.
  ScanRequestBuilder(std::string state_dir, unsigned on_demand_threads)
      : state_dir_(std::move(state_dir)), on_demand_threads_(on_demand_threads) {}

  // A new pass (fresh scan id) of `kind` over `roots`.
  ScanRequest request(const v1::ScanPolicy& policy, v1::ScanKind kind,
                      std::vector<std::string> roots) const;
  // Background passes (scheduled, removable media) keep the PC usable: paced, one thread.
  static JobSpec backgroundSpec(const v1::ScanPolicy& policy, ScanRequest request);
  static PacerSettings pacing(const v1::ScanPolicy& policy);

 private:
  const std::string state_dir_;
  const unsigned on_demand_threads_;
};

}  // namespace xiaoan::agent::scan
