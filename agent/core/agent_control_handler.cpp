#include "agent/core/agent_control_handler.h"

#include <map>
#include <optional>

#include "agent/core/status_model.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

v1::ControlResponse failure(const Status& st) {
  v1::ControlResponse r;
  *r.mutable_error() = toErrorInfo(st);
  return r;
}

// Mutations are for root only: nullopt for root, else the (logged) refusal.
std::optional<v1::ControlResponse> refuseUnlessRoot(const PeerIdentity& peer,
                                                    const std::string& command) {
  if (peer.uid == 0) return std::nullopt;
  componentLogger(LogComponent::kAgentControl)
      ->warn("{} refused for uid {} (pid {})", command, peer.uid, peer.pid);
  return failure(Status(ErrorCode::kPermissionDenied, command + " needs root"));
}

}  // namespace

v1::ControlResponse AgentControlHandler::handle(const v1::ControlRequest& request,
                                                const PeerIdentity& peer) {
  switch (request.command_case()) {
    case v1::ControlRequest::kGetStatus: {
      v1::ControlResponse r;
      *r.mutable_status() = status_.snapshot();
      return r;
    }
    case v1::ControlRequest::kSendTestEvents:
      if (auto refused = refuseUnlessRoot(peer, "send_test_events")) return *refused;
      return sendTestEvents(request.send_test_events());
    case v1::ControlRequest::kApplyBundle:
      if (auto refused = refuseUnlessRoot(peer, "apply_bundle")) return *refused;
      return applyBundle(request.apply_bundle());
    case v1::ControlRequest::kStartScan:
    case v1::ControlRequest::kGetScan:
    case v1::ControlRequest::kCancelScan:
    case v1::ControlRequest::kQuarantineList:
    case v1::ControlRequest::kQuarantineAction:
      return scanCommand(request, peer);
    case v1::ControlRequest::kBindingCheck:
    case v1::ControlRequest::kIsolationRelease:
      return bindingCommand(request, peer);
    default:
      return failure(Status(ErrorCode::kInvalidArgument, "unknown control command"));
  }
}

v1::ControlResponse AgentControlHandler::applyBundle(const v1::ApplyBundleRequest& req) {
  if (req.path().empty() || req.path().front() != '/') {
    return failure(Status(ErrorCode::kInvalidArgument, "apply_bundle needs an absolute path"));
  }
  if (content_ == nullptr) {
    return failure(Status(ErrorCode::kUnsupported, "this agent has no content channel"));
  }
  auto log = componentLogger(LogComponent::kAgentControl);
  log->info("apply_bundle {}", req.path());
  auto applied = content_->applyBundle(req.path());
  if (!applied.isOk()) {
    log->warn("apply_bundle {}: {}", req.path(), applied.status().toString());
    return failure(applied.status());
  }
  log->info("apply_bundle {}: root v{}, policy v{}, {}", req.path(), applied->root_version(),
            applied->policy_version(), applied->changed() ? "changed" : "nothing new");
  v1::ControlResponse r;
  *r.mutable_apply_bundle() = std::move(applied).value();
  return r;
}

v1::ControlResponse AgentControlHandler::scanCommand(const v1::ControlRequest& req,
                                                     const PeerIdentity& peer) {
  using R = v1::ControlRequest;
  static const std::map<R::CommandCase, std::string> kNames = {
      {R::kStartScan, "start_scan"},
      {R::kCancelScan, "cancel_scan"},
      {R::kQuarantineList, "quarantine_list"},
      {R::kQuarantineAction, "quarantine_action"}};
  if (auto name = kNames.find(req.command_case()); name != kNames.end()) {
    if (auto refused = refuseUnlessRoot(peer, name->second)) return *refused;
  }
  if (scan_ == nullptr) return failure(Status(ErrorCode::kUnsupported, "scanning is not running"));
  v1::ControlResponse r;
  auto answer = [&](auto result, auto* out) {
    if (!result.isOk()) return failure(result.status());
    *out = std::move(result).value();
    return r;
  };
  switch (req.command_case()) {
    case R::kStartScan:
      return answer(
          scan_->startScan({req.start_scan().paths().begin(), req.start_scan().paths().end()}),
          r.mutable_scan());
    case R::kGetScan: {
      auto progress = scan_->getScan(req.get_scan().scan_id());
      // Progress is for anyone; which files of whom were detected or skipped is for root.
      if (progress.isOk() && peer.uid != 0) {
        progress->clear_detected();
        progress->mutable_summary()->clear_skipped_examples();
      }
      return answer(std::move(progress), r.mutable_scan());
    }
    case R::kCancelScan:
      return answer(scan_->cancelScan(req.cancel_scan().scan_id()), r.mutable_scan());
    case R::kQuarantineList:
      return answer(scan_->quarantineList(), r.mutable_quarantine());
    default:
      return answer(scan_->quarantineAction(req.quarantine_action(), peer.uid),
                    r.mutable_quarantine_entry());
  }
}

v1::ControlResponse AgentControlHandler::bindingCommand(const v1::ControlRequest& req,
                                                        const PeerIdentity& peer) {
  const bool release = req.command_case() == v1::ControlRequest::kIsolationRelease;
  if (release) {
    if (auto refused = refuseUnlessRoot(peer, "isolation_release")) return *refused;
  }
  if (binding_ == nullptr)
    return failure(Status(ErrorCode::kUnsupported, "binding is not running"));
  v1::ControlResponse r;
  if (release) {
    componentLogger(LogComponent::kAgentControl)->info("isolation_release by uid {}", peer.uid);
    if (Status st = binding_->releaseIsolation(); !st.isOk()) return failure(st);
    *r.mutable_compliance() = binding_->status();
    return r;
  }
  auto checked = binding_->checkNow();
  if (!checked.isOk()) return failure(checked.status());
  *r.mutable_compliance() = std::move(checked).value();
  return r;
}

v1::ControlResponse AgentControlHandler::sendTestEvents(const v1::SendTestEventsRequest& req) {
  if (req.count() == 0 || req.count() > kMaxTestEvents) {
    return failure(Status(ErrorCode::kInvalidArgument, "count must be 1..1000000"));
  }
  std::string request_id = req.request_id();
  if (request_id.empty()) {
    auto bytes = randomBytes(8);
    request_id = bytes.isOk() ? toHex(*bytes) : "unknown";
  }
  const v1::Priority priority =
      req.priority() == v1::PRIORITY_SECURITY ? v1::PRIORITY_SECURITY : v1::PRIORITY_ACTIVITY;
  v1::ControlResponse r;
  auto* out = r.mutable_test_events();
  out->set_request_id(request_id);
  for (uint32_t i = 0; i < req.count(); ++i) {
    v1::Event e = events_.make(priority);
    auto* d = e.mutable_diagnostic();
    d->set_text(req.text());
    d->set_request_id(request_id);
    d->set_index(i);
    d->set_count(req.count());
    auto appended = spool_.append(std::move(e));
    if (!appended.isOk()) {
      *r.mutable_error() = toErrorInfo(appended.status());
      break;
    }
    if (i == 0) {
      out->set_stream(appended->stream);
      out->set_epoch(appended->epoch);
      out->set_first_seq(appended->seq);
    }
    out->set_last_seq(appended->seq);
    out->set_appended(i + 1);
  }
  Status st = spool_.sync();
  if (!st.isOk() && !r.has_error()) *r.mutable_error() = toErrorInfo(st);
  componentLogger(LogComponent::kAgentControl)
      ->info("send_test_events {}: appended {} of {} ({} {}..{})", request_id, out->appended(),
             req.count(), out->stream(), out->first_seq(), out->last_seq());
  return r;
}

}  // namespace xiaoan::agent
