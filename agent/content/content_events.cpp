#include "agent/content/content_events.h"

namespace xiaoan::agent::content {

v1::ErrorInfo errorInfoOf(const Status& status) {
  v1::ErrorInfo e;
  e.set_code(std::string(errorCodeName(status.code())));
  e.set_message(status.message());
  return e;
}

const char* sourceName(UpdateSource source) {
  return source == UpdateSource::kOfflineBundle ? "offline_bundle" : "collector";
}

void ContentEvents::emit(v1::ContentUpdateEvent::Outcome outcome, const UpdateSubject& subject,
                         UpdateSource source, const Status& error) const {
  v1::ContentUpdateEvent e;
  e.set_outcome(outcome);
  e.set_role(subject.role);
  e.set_kind(subject.kind);
  e.set_version(subject.version);
  e.set_previous_version(subject.previous_version);
  if (!error.isOk()) *e.mutable_error() = errorInfoOf(error);
  e.set_source(sourceName(source));
  reporter_.reportEvent(std::move(e));
}

}  // namespace xiaoan::agent::content
