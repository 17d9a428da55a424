#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "agent/spool/spool.h"
#include "platform/clock.h"
#include "platform/result.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent {

// Which exchange with the collector a result belongs to.
enum class Channel { kEnroll, kCheckin, kUpload };

struct StatusModelOptions {
  std::string agent_version;
  std::string collector_url;
  uint32_t pid = 0;
  std::chrono::system_clock::time_point started_at;
  uint64_t spool_max_bytes = 0;
  uint32_t checkin_interval_seconds = 60;
};

// The agent's state as people see it (AgentStatus), fed by the loops. The connection state
// is derived from the last result of each channel: all good -> CONNECTED; only "cannot
// reach" failures -> OFFLINE (offline_since = first failure after the last success, kept
// across restarts); any other failure (TLS pin, 401, garbage, ...) -> ERROR, which also makes
// the agent degraded (listed in `errors`). Thread-safe.
class StatusModel {
 public:
  using SpoolStatsSource = std::function<SpoolStats()>;
  using ScanStatusSource = std::function<v1::ScanStatus()>;
  using ComplianceSource = std::function<v1::ComplianceStatus()>;
  using BrowsingSource = std::function<v1::BrowsingStatus()>;
  StatusModel(StatusModelOptions options, const Clock& clock, SpoolStatsSource spool_stats);

  // Carries over what the previous run knew (last check-in/upload, offline since).
  void restorePersisted(const v1::AgentStatus& previous);

  void setEnrollment(v1::EnrollmentState state, const std::string& agent_id,
                     const std::string& terminal_id);
  void setTerminalId(const std::string& terminal_id);
  void setCheckinInterval(uint32_t seconds);
  // The signed content channel's state and the running policy version. `stale` and
  // `time_floor` are re-judged at every snapshot against the clock, so that metadata that
  // expires between check-ins (or while the collector is unreachable) shows as STALE.
  void setContent(const v1::ContentStatus& content, uint64_t policy_version);
  void reportSuccess(Channel channel);
  void reportFailure(Channel channel, const Status& error);
  // The antivirus part of the status, asked for at each snapshot (it changes by the second).
  void setScanSource(ScanStatusSource source);
  v1::ScanStatus scan() const;
  // The IP/MAC binding part (the binding service's latest check), asked for at each snapshot.
  void setComplianceSource(ComplianceSource source);
  v1::ComplianceStatus compliance() const;
  // The browsing-records part (the browsing service's last poll), asked for at each snapshot.
  void setBrowsingSource(BrowsingSource source);
  v1::BrowsingStatus browsing() const;
  // Other degraded conditions (status file not writable, spool append failing, ...), keyed
  // by the reporter; an OK status clears it.
  void setCondition(const std::string& key, const Status& status);

  // The full status now. `daemon_running` false for the copy written at shutdown.
  v1::AgentStatus snapshot(bool daemon_running = true) const;
  // The degraded reasons (what check-ins report).
  std::vector<v1::ErrorInfo> errors() const;

 private:
  void fillConnection(v1::AgentStatus& s) const;
  void fillSpool(v1::AgentStatus& s, const SpoolStats& stats) const;
  v1::ContentStatus contentNow() const;
  std::vector<v1::ErrorInfo> errorsLocked(const SpoolStats& stats) const;

  const StatusModelOptions options_;
  const Clock& clock_;
  SpoolStatsSource spool_stats_;
  template <typename T>
  T callSource(const std::function<T()>& source) const;

  mutable std::mutex scan_mu_;  // guards scan_source_ only: the source is called without mu_
  ScanStatusSource scan_source_;
  ComplianceSource compliance_source_;  // guarded by scan_mu_ too
  BrowsingSource browsing_source_;      // guarded by scan_mu_ too

  mutable std::mutex mu_;
  v1::EnrollmentState enrollment_ = v1::ENROLLMENT_STATE_NOT_ENROLLED;
  std::string agent_id_, terminal_id_;
  uint32_t checkin_interval_seconds_;
  // Last failure per channel (absent: last attempt succeeded or none yet), with its time.
  std::map<Channel, std::pair<Status, std::chrono::system_clock::time_point>> failures_;
  bool ever_connected_ = false;
  std::optional<std::chrono::system_clock::time_point> offline_since_, last_checkin_, last_upload_;
  std::map<std::string, Status> conditions_;
  v1::ContentStatus content_;
  uint64_t policy_version_ = 0;
};

// ErrorInfo for a Status.
v1::ErrorInfo toErrorInfo(const Status& status);

}  // namespace xiaoan::agent
