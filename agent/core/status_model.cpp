#include "agent/core/status_model.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "agent/core/collector_api.h"
#include "common/proto_time.h"

namespace xiaoan::agent {
namespace {

v1::Priority priorityOf(const std::string& stream) {
  if (stream == kSecurityStream) return v1::PRIORITY_SECURITY;
  if (stream == kActivityStream) return v1::PRIORITY_ACTIVITY;
  return v1::PRIORITY_UNSPECIFIED;
}

v1::ErrorInfo errorInfo(ErrorCode code, const std::string& message) {
  v1::ErrorInfo e;
  e.set_code(std::string(errorCodeName(code)));
  e.set_message(message);
  return e;
}

}  // namespace

v1::ErrorInfo toErrorInfo(const Status& status) {
  return errorInfo(status.code(), status.message());
}

StatusModel::StatusModel(StatusModelOptions options, const Clock& clock,
                         SpoolStatsSource spool_stats)
    : options_(std::move(options)),
      clock_(clock),
      spool_stats_(std::move(spool_stats)),
      checkin_interval_seconds_(options_.checkin_interval_seconds) {}

void StatusModel::restorePersisted(const v1::AgentStatus& previous) {
  std::lock_guard lock(mu_);
  if (previous.has_last_checkin()) last_checkin_ = fromTimestamp(previous.last_checkin());
  if (previous.has_last_upload()) last_upload_ = fromTimestamp(previous.last_upload());
  if (previous.has_offline_since()) offline_since_ = fromTimestamp(previous.offline_since());
}

void StatusModel::setEnrollment(v1::EnrollmentState state, const std::string& agent_id,
                                const std::string& terminal_id) {
  std::lock_guard lock(mu_);
  enrollment_ = state;
  agent_id_ = agent_id;
  terminal_id_ = terminal_id;
}

void StatusModel::setTerminalId(const std::string& terminal_id) {
  std::lock_guard lock(mu_);
  terminal_id_ = terminal_id;
}

void StatusModel::setCheckinInterval(uint32_t seconds) {
  std::lock_guard lock(mu_);
  checkin_interval_seconds_ = seconds;
}

void StatusModel::setContent(const v1::ContentStatus& content, uint64_t policy_version) {
  std::lock_guard lock(mu_);
  content_ = content;
  policy_version_ = policy_version;
}

v1::ContentStatus StatusModel::contentNow() const {
  v1::ContentStatus c = content_;
  if (c.root_version() == 0) return c;  // no trusted metadata: nothing can expire
  const auto floor = std::max(clock_.now(), fromTimestamp(c.time_floor()));
  *c.mutable_time_floor() = toTimestamp(floor);
  c.set_stale(c.has_expires() && fromTimestamp(c.expires()) < floor);
  return c;
}

void StatusModel::setScanSource(ScanStatusSource source) {
  std::lock_guard lock(scan_mu_);
  scan_source_ = std::move(source);
}

// A copy of the source is called outside the lock: sources take their owners' locks.
template <typename T>
T StatusModel::callSource(const std::function<T()>& source) const {
  std::function<T()> copy;
  {
    std::lock_guard lock(scan_mu_);
    copy = source;
  }
  return copy ? copy() : T();
}

v1::ScanStatus StatusModel::scan() const { return callSource(scan_source_); }

void StatusModel::setComplianceSource(ComplianceSource source) {
  std::lock_guard lock(scan_mu_);
  compliance_source_ = std::move(source);
}

v1::ComplianceStatus StatusModel::compliance() const { return callSource(compliance_source_); }

void StatusModel::setBrowsingSource(BrowsingSource source) {
  std::lock_guard lock(scan_mu_);
  browsing_source_ = std::move(source);
}

v1::BrowsingStatus StatusModel::browsing() const { return callSource(browsing_source_); }

void StatusModel::reportSuccess(Channel channel) {
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  failures_.erase(channel);
  // Reaching the collector on one channel proves it is reachable: stale "cannot reach"
  // failures of the others no longer describe the connection. Other errors stay until that
  // channel succeeds.
  std::erase_if(failures_, [](const auto& f) { return isOfflineError(f.second.first.code()); });
  ever_connected_ = true;
  if (failures_.empty()) offline_since_.reset();
  if (channel == Channel::kCheckin) last_checkin_ = now;
  if (channel == Channel::kUpload) last_upload_ = now;
}

void StatusModel::reportFailure(Channel channel, const Status& error) {
  const auto now = clock_.now();
  std::lock_guard lock(mu_);
  failures_[channel] = {error, now};
  if (!offline_since_) offline_since_ = now;
}

void StatusModel::setCondition(const std::string& key, const Status& status) {
  std::lock_guard lock(mu_);
  if (status.isOk()) {
    conditions_.erase(key);
  } else {
    conditions_[key] = status;
  }
}

void StatusModel::fillConnection(v1::AgentStatus& s) const {
  const std::pair<Status, std::chrono::system_clock::time_point>* latest = nullptr;
  const std::pair<Status, std::chrono::system_clock::time_point>* latest_hard = nullptr;
  for (const auto& [channel, failure] : failures_) {
    if (!latest || failure.second >= latest->second) latest = &failure;
    const bool hard = !isOfflineError(failure.first.code());
    if (hard && (!latest_hard || failure.second >= latest_hard->second)) latest_hard = &failure;
  }
  if (latest_hard) {
    s.set_connection(v1::CONNECTION_STATE_ERROR);
    *s.mutable_last_error() = toErrorInfo(latest_hard->first);
  } else if (latest) {
    s.set_connection(v1::CONNECTION_STATE_OFFLINE);
    *s.mutable_last_error() = toErrorInfo(latest->first);
  } else {
    s.set_connection(ever_connected_ ? v1::CONNECTION_STATE_CONNECTED
                                     : v1::CONNECTION_STATE_UNSPECIFIED);
  }
  if (offline_since_) *s.mutable_offline_since() = toTimestamp(*offline_since_);
  if (last_checkin_) *s.mutable_last_checkin() = toTimestamp(*last_checkin_);
  if (last_upload_) *s.mutable_last_upload() = toTimestamp(*last_upload_);
}

void StatusModel::fillSpool(v1::AgentStatus& s, const SpoolStats& stats) const {
  for (const auto& st : stats.streams) {
    auto* c = s.add_spool();
    c->set_priority(priorityOf(st.stream));
    c->set_pending_records(st.pending_records);
    c->set_bytes(st.bytes);
    if (st.oldest_pending) *c->mutable_oldest_pending() = toTimestamp(*st.oldest_pending);
    c->set_dropped_records(st.dropped_records);
  }
  s.set_spool_bytes(stats.total_bytes);
  s.set_spool_max_bytes(stats.max_bytes != 0 ? stats.max_bytes : options_.spool_max_bytes);
  s.set_spool_corrupt_records(stats.corrupt_records_skipped);
}

std::vector<v1::ErrorInfo> StatusModel::errorsLocked(const SpoolStats& stats) const {
  std::vector<v1::ErrorInfo> out;
  auto enroll = failures_.find(Channel::kEnroll);
  const std::string why = enroll != failures_.end() ? enroll->second.first.message() : "";
  if (enrollment_ == v1::ENROLLMENT_STATE_REJECTED) {
    out.push_back(errorInfo(ErrorCode::kEnrollRejected, why));
  } else if (enrollment_ != v1::ENROLLMENT_STATE_ENROLLED) {
    out.push_back(errorInfo(ErrorCode::kNotEnrolled, why.empty()
                                                         ? "waiting for enrollment"
                                                         : "waiting for enrollment: " + why));
  }
  for (const auto& [channel, failure] : failures_) {
    const bool said =
        channel == Channel::kEnroll && (enrollment_ == v1::ENROLLMENT_STATE_REJECTED ||
                                        failure.first.code() == ErrorCode::kNotEnrolled);
    if (!said && !isOfflineError(failure.first.code())) out.push_back(toErrorInfo(failure.first));
  }
  if (stats.full) out.push_back(errorInfo(ErrorCode::kSpoolFull, "spool at its disk cap"));
  if (stats.corrupt_records_skipped > 0) {
    out.push_back(errorInfo(
        ErrorCode::kSpoolCorrupt,
        std::to_string(stats.corrupt_records_skipped) + " corrupt spool records skipped"));
  }
  for (const auto& [key, status] : conditions_) out.push_back(toErrorInfo(status));
  if (const v1::ContentStatus content = contentNow(); content.stale()) {
    out.push_back(errorInfo(ErrorCode::kMetaExpired,
                            "signed metadata expired at " +
                                google::protobuf::util::TimeUtil::ToString(content.expires())));
  }
  // One line per code: check-in and upload failing the same way is one problem.
  std::vector<v1::ErrorInfo> unique;
  for (auto& e : out) {
    auto same = [&](const v1::ErrorInfo& u) { return u.code() == e.code(); };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(std::move(e));
  }
  return unique;
}

v1::AgentStatus StatusModel::snapshot(bool daemon_running) const {
  const SpoolStats stats = spool_stats_ ? spool_stats_() : SpoolStats{};
  v1::AgentStatus s;
  if (v1::ScanStatus scan_status = scan(); scan_status.ByteSizeLong() > 0) {
    *s.mutable_scan() = std::move(scan_status);
  }
  if (v1::ComplianceStatus c = compliance(); c.state() != v1::COMPLIANCE_STATE_UNSPECIFIED) {
    *s.mutable_compliance() = std::move(c);
  }
  if (v1::BrowsingStatus b = browsing(); b.ByteSizeLong() > 0) *s.mutable_browsing() = std::move(b);
  s.set_agent_version(options_.agent_version);
  s.set_daemon_running(daemon_running);
  s.set_pid(options_.pid);
  *s.mutable_started_at() = toTimestamp(options_.started_at);
  s.set_collector_url(options_.collector_url);
  std::lock_guard lock(mu_);
  s.set_policy_version(policy_version_);  // 0: built-in settings
  *s.mutable_content() = contentNow();
  s.set_enrollment(enrollment_);
  s.set_agent_id(agent_id_);
  s.set_terminal_id(terminal_id_);
  s.set_checkin_interval_seconds(checkin_interval_seconds_);
  fillConnection(s);
  fillSpool(s, stats);
  for (auto& e : errorsLocked(stats)) *s.add_errors() = std::move(e);
  *s.mutable_generated_at() = toTimestamp(clock_.now());
  return s;
}

std::vector<v1::ErrorInfo> StatusModel::errors() const {
  const SpoolStats stats = spool_stats_ ? spool_stats_() : SpoolStats{};
  std::lock_guard lock(mu_);
  return errorsLocked(stats);
}

}  // namespace xiaoan::agent
