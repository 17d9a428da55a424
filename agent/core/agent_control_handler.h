#pragma once

#include "agent/core/control_server.h"
#include "agent/core/event_factory.h"
#include "agent/core/status_model.h"
#include "agent/spool/spool.h"

namespace xiaoan::agent {

inline constexpr uint32_t kMaxTestEvents = 1'000'000;

// The agent's control commands: get_status for anyone; send_test_events for root only
// (E_PERMISSION_DENIED otherwise) — appends DiagnosticEvents through the normal spool and
// syncs before answering, so the answer means "durable".
class AgentControlHandler final : public ControlHandler {
 public:
  AgentControlHandler(const StatusModel& status, Spool& spool, const EventFactory& events)
      : status_(status), spool_(spool), events_(events) {}

  v1::ControlResponse handle(const v1::ControlRequest& request,
                             const PeerCredentials& peer) override;

 private:
  v1::ControlResponse sendTestEvents(const v1::SendTestEventsRequest& request);

  const StatusModel& status_;
  Spool& spool_;
  const EventFactory& events_;
};

}  // namespace xiaoan::agent
