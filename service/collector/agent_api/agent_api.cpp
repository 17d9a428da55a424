#include "service/collector/agent_api/agent_api.h"

#include "platform/logging.h"
#include "service/collector/agent_api/agent_codec.h"
#include "service/collector/agent_api/agent_jobs.h"
#include "service/collector/agent_api/artifact_response.h"

namespace xiaoan::collector {
namespace {

std::string_view pathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool isArtifactPath(std::string_view path) {
  return path.substr(0, kArtifactPathPrefix.size()) == kArtifactPathPrefix;
}

// The certificate's CN is the only source of an agent's identity (I5).
bool hasAgentIdentity(const PeerInfo& peer) {
  return peer.client_cert_verified && !peer.client_cert_cn.empty();
}

}  // namespace

uint64_t agentBodyLimit(std::string_view target) {
  return pathOf(target) == "/v1/events" ? kMaxEventBatchBytes : kMaxSmallRequestBytes;
}

uint64_t AgentApi::bodyLimit(const http::request_header<>& header) const {
  return agentBodyLimit(toStd(header.target()));
}

HttpResponse AgentApi::errorResponse(http::status status, ErrorCode code,
                                     const std::string& message) const {
  return agentErrorResponse(status, code, message, options_.retry);
}

void AgentApi::fail(const Status& status, Responder& respond) const {
  respond(agentErrorResponse(status, options_.retry));
}

std::optional<HttpResponse> AgentApi::precheck(const http::request_header<>& header,
                                               const PeerInfo& peer) const {
  auto path = pathOf(toStd(header.target()));
  bool artifact = isArtifactPath(path);
  bool known = artifact || path == "/v1/enroll" || path == "/v1/checkin" || path == "/v1/events";
  if (!known) {
    return errorResponse(http::status::not_found, ErrorCode::kNotFound, "no such path");
  }
  if (header.method() != (artifact ? http::verb::get : http::verb::post)) {
    return errorResponse(http::status::method_not_allowed, ErrorCode::kProtocol,
                         artifact ? "only GET is allowed" : "only POST is allowed");
  }
  if (path != "/v1/enroll" && !hasAgentIdentity(peer)) {
    return errorResponse(http::status::unauthorized, ErrorCode::kUnauthorized,
                         "a client certificate issued by this collector is required");
  }
  return std::nullopt;
}

void AgentApi::handle(HttpRequest request, const PeerInfo& peer, Responder respond) {
  // Checked again here: handle() must be safe on its own.
  if (auto refused = precheck(request.base(), peer)) return respond(std::move(*refused));
  auto path = pathOf(toStd(request.target()));
  if (path == "/v1/enroll") return enroll(request, peer, respond);
  if (path == "/v1/checkin") return checkin(request, peer, respond);
  if (isArtifactPath(path)) return artifact(request, respond);
  events(request, peer, respond);
}

// Served on the network thread: opening a file is quick, the body is streamed by the session.
void AgentApi::artifact(const HttpRequest& request, Responder& respond) const {
  auto answer = artifactResponse(artifacts_, pathOf(toStd(request.target())),
                                 toStd(request[http::field::range]), options_.retry);
  std::visit([&](auto&& response) { respond(std::move(response)); }, std::move(answer));
}

// Every attempt is charged before the CSR is verified, a certificate signed or the writer
// asked: a flood costs the collector little and enrolls nothing past the limits.
void AgentApi::enroll(const HttpRequest& request, const PeerInfo& peer, Responder& respond) {
  auto input = decodeEnrollRequest(request.body());
  if (!input.isOk()) return fail(input.status(), respond);
  auto admission = enroll_limiter_.admit(input->token_id, peer.remote_address);
  if (!admission.status.isOk()) {
    componentLogger(LogComponent::kCollectorEnroll)
        ->debug("enrollment with token {} from {} refused: {}", input->token_id,
                peer.remote_address, admission.status.toString());
    return respond(rateLimitedResponse(admission.status, admission.retry_after_seconds));
  }
  auto job = enrollment_.prepare(std::move(*input), peer.remote_address, respond);
  if (!job.isOk()) return fail(job.status(), respond);
  submit(std::move(*job), respond);
}

void AgentApi::checkin(const HttpRequest& request, const PeerInfo& peer, Responder& respond) {
  auto input = decodeCheckinRequest(request.body());
  if (!input.isOk()) return fail(input.status(), respond);
  submit(std::make_unique<CheckinJob>(peer.client_cert_cn, std::move(*input), issuer_, clock_,
                                      options_.retry, respond),
         respond);
}

void AgentApi::events(const HttpRequest& request, const PeerInfo& peer, Responder& respond) {
  auto batch = decodeEventBatch(request.body());
  if (!batch.isOk()) return fail(batch.status(), respond);
  submit(
      std::make_unique<EventBatchJob>(peer.client_cert_cn, peer.remote_address, std::move(*batch),
                                      request.body().size(), clock_, options_.retry, respond),
      respond);
}

void AgentApi::submit(std::unique_ptr<WriteJob> job, Responder& respond) {
  if (!writer_.trySubmit(job)) {
    componentLogger(LogComponent::kCollectorAgentApi)->debug("writer queue full: answering 503");
    respond(errorResponse(http::status::service_unavailable, ErrorCode::kOverloaded,
                          "collector busy; retry later"));
  }
}

}  // namespace xiaoan::collector
