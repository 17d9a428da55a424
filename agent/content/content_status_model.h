#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/content/artifact_appliers.h"
#include "agent/content/content_reporter.h"
#include "agent/content/trusted_metadata.h"
#include "platform/clock.h"
#include "platform/result.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::content {

// What the content channel shows in AgentStatus and its degraded conditions: the versions it
// trusts and runs (read from the trusted metadata and the running policy), the last rejection,
// the last verification, expiry and staleness. Every change goes out through the reporter.
// Not thread-safe (the content manager serializes calls).
class ContentStatusModel {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  ContentStatusModel(const Clock& clock, const TrustedMetadata& metadata,
                     const PolicyArtifact& policy, ContentReporter& reporter)
      : clock_(clock), metadata_(metadata), policy_(policy), reporter_(reporter) {}

  // Sets (non-OK) or clears (OK) a degraded condition.
  void setCondition(const std::string& key, const Status& status);

  // Metadata verified now (changed or not).
  void verified() { last_verified_at_ = clock_.now(); }

  // Records a rejection of `kind` (UNSPECIFIED: of the metadata) and sets the "content"
  // condition. True when it is not the rejection last reported, i.e. an event is due.
  bool recordRejection(const Status& status, v1::ArtifactKind kind);
  // After an artifact applied (or new metadata, UNSPECIFIED): clears a rejection of that
  // artifact or of the metadata, never one of the other artifact (a bundle loading must not
  // hide a policy still refused).
  void clearRejectionFor(v1::ArtifactKind kind);

  // Re-evaluates freshness now: the expiry when the channel has just become stale (reported
  // once until it is fresh again), else nullopt.
  std::optional<TimePoint> becameStale();

  v1::ContentStatus status() const;
  // Sends status() and the running policy's version to the reporter.
  void publish() const;

 private:
  std::optional<TimePoint> channelExpiry() const;
  bool staleAt(TimePoint now) const;
  void clearRejection();

  const Clock& clock_;
  const TrustedMetadata& metadata_;
  const PolicyArtifact& policy_;
  ContentReporter& reporter_;
  std::optional<v1::ErrorInfo> last_rejection_;
  std::optional<TimePoint> last_rejection_at_, last_verified_at_;
  v1::ArtifactKind last_rejection_kind_ = v1::ARTIFACT_KIND_UNSPECIFIED;
  std::string last_event_key_;  // the last rejection sent as an event (no repeats)
  bool stale_reported_ = false;
};

}  // namespace xiaoan::agent::content
