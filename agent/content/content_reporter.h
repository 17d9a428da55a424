#pragma once

#include <cstdint>
#include <string>

#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::content {

// What the content channel tells the rest of the agent: security events, degraded conditions
// and its part of AgentStatus. The daemon reports into its status model and spool; tests
// record. Called with the content manager's lock held: implementations must not call back
// into the content manager.
class ContentReporter {
 public:
  virtual ~ContentReporter() = default;
  // One ContentUpdateEvent, to be appended (security priority) through the spool.
  virtual void reportEvent(v1::ContentUpdateEvent event) = 0;
  // Sets (non-OK) or clears (OK) a degraded status condition, by key ("content",
  // "content_root", "content_state", "content_fetch").
  virtual void setCondition(const std::string& key, const Status& status) = 0;
  // The channel's state for AgentStatus changed.
  virtual void reportStatus(const v1::ContentStatus& status, uint64_t policy_version) = 0;
};

}  // namespace xiaoan::agent::content
