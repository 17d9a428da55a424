#pragma once

#include <cstdint>

#include "agent/content/content_reporter.h"
#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// Where an update came from.
enum class UpdateSource { kCollector, kOfflineBundle };

// What a content event is about.
struct UpdateSubject {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  v1::ArtifactKind kind = v1::ARTIFACT_KIND_UNSPECIFIED;
  uint64_t version = 0;
  uint64_t previous_version = 0;
};

// "E_CODE" and the message of a failed Status, as events and status carry it.
v1::ErrorInfo errorInfoOf(const Status& status);

// "collector" or "offline_bundle", as ContentUpdateEvent.source and the logs say it.
const char* sourceName(UpdateSource source);

// Builds the channel's ContentUpdateEvents and hands them to the reporter. Holds no state:
// deciding which rejections are worth an event is the status model's job.
class ContentEvents {
 public:
  explicit ContentEvents(ContentReporter& reporter) : reporter_(reporter) {}

  // `error` is OK except for rejections and staleness.
  void emit(v1::ContentUpdateEvent::Outcome outcome, const UpdateSubject& subject,
            UpdateSource source, const Status& error) const;

 private:
  ContentReporter& reporter_;
};

}  // namespace xiaoan::agent::content
