#pragma once

#include "agent/binding/binding_service.h"
#include "agent/content/content_manager.h"
#include "agent/control/control_server.h"
#include "agent/core/event_factory.h"
#include "agent/core/status_model.h"
#include "agent/scan/scan_control.h"
#include "agent/spool/spool.h"

namespace xiaoan::agent {

inline constexpr uint32_t kMaxTestEvents = 1'000'000;

// The agent's control commands: get_status for anyone; for root only (E_PERMISSION_DENIED
// otherwise) send_test_events — appends DiagnosticEvents through the normal spool and syncs
// before answering, so the answer means "durable" — and apply_bundle, which verifies and
// applies an offline bundle file through the content manager (absent: E_UNSUPPORTED). Scans:
// get_scan for anyone (progress is no secret; the detected files only for root), start_scan,
// cancel_scan and the quarantine for root only (a scan reads every file; the quarantine holds
// other users' files). IP/MAC binding: binding_check for anyone (it runs the check the policy
// orders anyway), isolation_release for root only.
class AgentControlHandler final : public control::ControlHandler {
 public:
  AgentControlHandler(const StatusModel& status, Spool& spool, const EventFactory& events,
                      content::ContentManager* content = nullptr, scan::ScanControl* scan = nullptr,
                      binding::BindingService* binding = nullptr)
      : status_(status),
        spool_(spool),
        events_(events),
        content_(content),
        scan_(scan),
        binding_(binding) {}

  v1::ControlResponse handle(const v1::ControlRequest& request, const PeerIdentity& peer) override;

 private:
  v1::ControlResponse sendTestEvents(const v1::SendTestEventsRequest& request);
  v1::ControlResponse applyBundle(const v1::ApplyBundleRequest& request);
  v1::ControlResponse scanCommand(const v1::ControlRequest& request, const PeerIdentity& peer);
  v1::ControlResponse bindingCommand(const v1::ControlRequest& request, const PeerIdentity& peer);

  const StatusModel& status_;
  Spool& spool_;
  const EventFactory& events_;
  content::ContentManager* content_;
  scan::ScanControl* scan_;
  binding::BindingService* binding_;
};

}  // namespace xiaoan::agent
