// ContentManager: freshness and the ContentStatus it reports.
#include "agent/content/content_manager.h"
#include "common/proto_time.h"
#include "platform/logging.h"
#include "common/text/time_format.h"

namespace xiaoan::agent::content {

using TimePoint = std::chrono::system_clock::time_point;

// Earliest expiry of the trusted chain and of the running policy's artifact.
std::optional<TimePoint> ContentManager::channelExpiry() const {
  if (!summary_) return std::nullopt;
  std::optional<TimePoint> expires = summary_->expires;
  const v1::Artifact* target = policyTarget();
  const auto& current = policy_.current();
  if (target != nullptr && target->has_expires() && current &&
      current->sha256 == target->sha256()) {
    const TimePoint policy_expires = fromTimestamp(target->expires());
    if (!expires || policy_expires < *expires) expires = policy_expires;
  }
  return expires;
}

bool ContentManager::staleAt(TimePoint now) const {
  const auto expires = channelExpiry();
  return expires && state_ && *expires < trust::timeFloor(*state_, now);
}

void ContentManager::checkFreshness() {
  std::lock_guard lock(mu_);
  const bool stale = staleAt(clock_.now());
  if (stale && !stale_reported_) {
    const auto expires = std::chrono::system_clock::to_time_t(*channelExpiry());
    const Status st(ErrorCode::kMetaExpired,
                    "signed metadata expired at " + formatLocalTime(expires) +
                        "; updates blocked until fresh metadata arrives, the policy stays");
    componentLogger("agent.content")->warn("{}", st.toString());
    Subject subject;
    subject.role = v1::ROLE_TIMESTAMP;
    subject.version = summary_ ? summary_->timestamp_version : 0;
    emit(v1::ContentUpdateEvent::OUTCOME_STALE, subject, Source::kCollector, st);
  }
  stale_reported_ = stale;
  publish();
}

v1::ContentStatus ContentManager::status() const {
  std::lock_guard lock(mu_);
  return statusLocked();
}

v1::ContentStatus ContentManager::statusLocked() const {
  const TimePoint now = clock_.now();
  v1::ContentStatus s;
  if (summary_) {
    s.set_root_version(summary_->root_version);
    s.set_timestamp_version(summary_->timestamp_version);
    s.set_content_targets_version(summary_->content_targets_version);
  }
  if (const auto& p = policy_.current()) {
    if (p->document.has_issued_at()) *s.mutable_policy_issued_at() = p->document.issued_at();
    if (p->applied_at != TimePoint{}) *s.mutable_policy_applied_at() = toTimestamp(p->applied_at);
    s.set_from_offline_bundle(p->from_offline_bundle);
  }
  if (const auto expires = channelExpiry()) *s.mutable_expires() = toTimestamp(*expires);
  s.set_stale(staleAt(now));
  if (last_rejection_) *s.mutable_last_rejection() = *last_rejection_;
  if (last_rejection_at_) *s.mutable_last_rejection_at() = toTimestamp(*last_rejection_at_);
  if (last_verified_at_) *s.mutable_last_verified_at() = toTimestamp(*last_verified_at_);
  if (state_) *s.mutable_time_floor() = toTimestamp(trust::timeFloor(*state_, now));
  return s;
}

void ContentManager::publish() {
  if (hooks_.on_status) hooks_.on_status(statusLocked(), policyVersionLocked());
}

}  // namespace xiaoan::agent::content
