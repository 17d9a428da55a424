#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "agent/content/content_manager.h"
#include "agent/core/backoff.h"
#include "agent/core/collector_api.h"
#include "agent/core/status_model.h"
#include "agent/core/wake_signal.h"
#include "agent/spool/spool.h"
#include "platform/host_info.h"

namespace xiaoan::agent {

struct CheckinOptions {
  std::string agent_version;
  std::chrono::system_clock::time_point started_at;
  uint32_t interval_seconds = 60;
  double jitter = 0.2;  // each wait is interval +- 20 %
  BackoffOptions retry{std::chrono::seconds(5), std::chrono::minutes(10)};
  uint64_t seed = 0;
};

// POST /v1/checkin every interval (+-20 % jitter): host facts, spool figures, errors, trusted
// metadata, policy and signature versions, last full scan -> acks (applied to the spool), terminal
// id, signed metadata (handed to the content manager, which applies the policy). The interval is
// the running policy's; without one, the interval the collector answers. A success raises
// kWakeRecovered on the uploader's signal so that a backlog drains as soon as the collector is
// back; failures retry sooner than the interval with backoff (never sooner than Retry-After).
class CheckinLoop {
 public:
  CheckinLoop(CheckinOptions options, CollectorApi& api, const HostInfo& host_info, Spool& spool,
              StatusModel& status, WakeSignal& wake, WakeSignal* uploader_wake,
              content::ContentManager* content,
              std::function<void(const std::string&)> on_terminal_id);
  ~CheckinLoop();
  CheckinLoop(const CheckinLoop&) = delete;
  CheckinLoop& operator=(const CheckinLoop&) = delete;

  void start();
  void stop();
  // One check-in (the thread's unit of work; public for tests).
  Status checkinOnce();
  uint32_t intervalSeconds() const;
  // The running policy's check-in interval; nullopt: follow the collector's answer.
  void setPolicyInterval(std::optional<uint32_t> seconds);

 private:
  void run();
  v1::CheckinRequest buildRequest() const;

  CheckinOptions options_;
  CollectorApi& api_;
  const HostInfo& host_info_;
  Spool& spool_;
  StatusModel& status_;
  WakeSignal& wake_;
  WakeSignal* uploader_wake_;
  content::ContentManager* content_;
  std::function<void(const std::string&)> on_terminal_id_;
  std::atomic<uint32_t> interval_seconds_;            // from the collector's answer (or the config)
  std::atomic<uint32_t> policy_interval_seconds_{0};  // 0: no policy sets it
  std::string terminal_id_;
  std::mt19937_64 rng_;
  std::thread thread_;
};

}  // namespace xiaoan::agent
