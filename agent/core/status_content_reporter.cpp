#include "agent/core/status_content_reporter.h"

#include "platform/logging.h"

namespace xiaoan::agent {

void StatusContentReporter::reportEvent(v1::ContentUpdateEvent event) {
  v1::Event e = events_.make(v1::PRIORITY_SECURITY);
  *e.mutable_content_update() = std::move(event);
  auto r = spool_.append(std::move(e));
  if (!r.isOk())
    componentLogger(LogComponent::kAgentCore)->error("content event: {}", r.status().toString());
}

void StatusContentReporter::setCondition(const std::string& key, const Status& status) {
  status_.setCondition(key, status);
}

void StatusContentReporter::reportStatus(const v1::ContentStatus& status, uint64_t policy_version) {
  status_.setContent(status, policy_version);
}

}  // namespace xiaoan::agent
