#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <thread>

#include "agent/core/backoff.h"
#include "agent/core/collector_api.h"
#include "agent/core/status_model.h"
#include "agent/core/wake_signal.h"
#include "agent/spool/spool.h"

namespace xiaoan::agent {

struct UploaderOptions {
  size_t max_batch_events = 500;
  size_t max_batch_bytes = 1024 * 1024;
  uint32_t max_events_per_second = 2000;  // drain-rate cap (0: unlimited)
  BackoffOptions backoff{std::chrono::seconds(1), std::chrono::minutes(10)};
  // Re-check the spool this often even without a wake-up (belt and braces).
  std::chrono::milliseconds idle_recheck{std::chrono::minutes(5)};
  uint64_t seed = 0;
};

// Drains the spool to POST /v1/events: security before activity, batches of at most
// max_batch_events / max_batch_bytes, at most max_events_per_second. Deletes (acks) only what
// the collector acknowledged after commit; on failure keeps everything and backs off with full
// jitter, honouring Retry-After, until the backoff ends or kWakeRecovered is raised on `wake`.
// New appends (kWakeAppended) end idle waits at once.
class Uploader {
 public:
  Uploader(UploaderOptions options, Spool& spool, CollectorApi& api, StatusModel& status,
           WakeSignal& wake);
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void start();
  // Stops `wake` and joins the thread.
  void stop();
  // A new drain-rate cap (the running policy's), from the next batch on.
  void setMaxEventsPerSecond(uint32_t rate) { max_events_per_second_ = rate; }

  struct Step {
    enum Kind { kIdle, kSent, kFailed } kind = kIdle;
    size_t events = 0;
    Status error;
    std::optional<std::chrono::seconds> retry_after;
  };
  // Sends at most one batch (the thread's unit of work; public for tests).
  Step step();

 private:
  void run();
  Step sendStream(std::string_view stream, std::vector<v1::Event> events);

  UploaderOptions options_;
  Spool& spool_;
  CollectorApi& api_;
  StatusModel& status_;
  WakeSignal& wake_;
  Backoff backoff_;
  std::atomic<uint32_t> max_events_per_second_;
  std::thread thread_;
};

}  // namespace xiaoan::agent
