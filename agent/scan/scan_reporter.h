#pragma once

#include <string>

#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent::scan {

// Where the scanning service reports to (the agent core: its event pipeline and status model).
// Called from the service's threads, the passes' threads and the watchers' threads, possibly at
// once, never while the service holds a lock of its own: an implementation must be thread-safe
// and should not block for long.
class ScanReporter {
 public:
  virtual ~ScanReporter() = default;
  // A security or activity record (detection, fault, pass summary, quarantine action).
  virtual void emit(v1::Event payload, v1::Priority priority) = 0;
  // Sets (non-OK) or clears (OK) a degraded status condition, by key.
  virtual void condition(const std::string& key, const Status& status) = 0;
};

}  // namespace xiaoan::agent::scan
