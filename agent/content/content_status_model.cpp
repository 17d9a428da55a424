#include "agent/content/content_status_model.h"

#include "agent/content/content_events.h"
#include "common/proto_time.h"

namespace xiaoan::agent::content {

void ContentStatusModel::setCondition(const std::string& key, const Status& status) {
  reporter_.setCondition(key, status);
}

bool ContentStatusModel::recordRejection(const Status& status, v1::ArtifactKind kind) {
  last_rejection_ = errorInfoOf(status);
  last_rejection_at_ = clock_.now();
  last_rejection_kind_ = kind;
  setCondition("content", status);
  const std::string key = status.toString();
  if (key == last_event_key_) return false;
  last_event_key_ = key;
  return true;
}

void ContentStatusModel::clearRejectionFor(v1::ArtifactKind kind) {
  if (last_rejection_ && last_rejection_kind_ != v1::ARTIFACT_KIND_UNSPECIFIED &&
      last_rejection_kind_ != kind) {
    return;
  }
  clearRejection();
}

void ContentStatusModel::clearRejection() {
  last_rejection_.reset();
  last_rejection_at_.reset();
  last_event_key_.clear();
  setCondition("content", Status::ok());
}

// Earliest expiry of the trusted chain and of the running policy's artifact.
std::optional<ContentStatusModel::TimePoint> ContentStatusModel::channelExpiry() const {
  const auto& summary = metadata_.summary();
  if (!summary) return std::nullopt;
  std::optional<TimePoint> expires = summary->expires;
  const v1::Artifact* target =
      metadata_.contentTarget([&](const v1::Artifact& a) { return policy_.rules().names(a); });
  const auto running = policy_.running();
  if (target != nullptr && target->has_expires() && running &&
      running->sha256 == target->sha256()) {
    const TimePoint policy_expires = fromTimestamp(target->expires());
    if (!expires || policy_expires < *expires) expires = policy_expires;
  }
  return expires;
}

bool ContentStatusModel::staleAt(TimePoint now) const {
  const auto expires = channelExpiry();
  const auto floor = metadata_.timeFloor(now);
  return expires && floor && *expires < *floor;
}

std::optional<ContentStatusModel::TimePoint> ContentStatusModel::becameStale() {
  const bool stale = staleAt(clock_.now());
  const bool newly = stale && !stale_reported_;
  stale_reported_ = stale;
  return newly ? channelExpiry() : std::nullopt;
}

v1::ContentStatus ContentStatusModel::status() const {
  const TimePoint now = clock_.now();
  v1::ContentStatus s;
  if (const auto& summary = metadata_.summary()) {
    s.set_root_version(summary->root_version);
    s.set_timestamp_version(summary->timestamp_version);
    s.set_content_targets_version(summary->content_targets_version);
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
  if (const auto floor = metadata_.timeFloor(now)) *s.mutable_time_floor() = toTimestamp(*floor);
  return s;
}

void ContentStatusModel::publish() const { reporter_.reportStatus(status(), policy_.version()); }

}  // namespace xiaoan::agent::content
