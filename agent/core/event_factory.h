#pragma once

#include <functional>
#include <string>

#include "platform/clock.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent {

// Fills the envelope fields the producer owns (times, boot id, priority, claimed agent id);
// the spool assigns stream, epoch and seq.
class EventFactory {
 public:
  EventFactory(const Clock& clock, std::string boot_id, std::function<std::string()> agent_id)
      : clock_(clock), boot_id_(std::move(boot_id)), agent_id_(std::move(agent_id)) {}

  v1::Event make(v1::Priority priority) const;

 private:
  const Clock& clock_;
  std::string boot_id_;
  std::function<std::string()> agent_id_;
};

}  // namespace xiaoan::agent
