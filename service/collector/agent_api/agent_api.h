#pragma once

#include <cstdint>
#include <string_view>

#include "platform/clock.h"
#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/agent_api/enroll_rate_limiter.h"
#include "service/collector/agent_api/enrollment.h"
#include "service/collector/agent_api/ingest_writer.h"
#include "service/collector/http/http_types.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/trust/content_issuer.h"

namespace xiaoan::collector {

struct AgentApiOptions {
  RetryAfterRange retry;
  EnrollRateLimits enroll_limits;
};

// Body cap of an agent API request by its target: 4 MiB for /v1/events, 64 KiB otherwise.
uint64_t agentBodyLimit(std::string_view target);

// The agent API: POST /v1/enroll (no client certificate), /v1/checkin and /v1/events, and
// GET /v1/artifacts/sha256/<hex> (verified client certificate; the agent id is its CN and
// nothing else). Bodies are protobuf; artifacts are streamed from their files.
class AgentApi final : public RequestHandler {
 public:
  AgentApi(AgentApiOptions options, IngestWriter& writer, const Enrollment& enrollment,
           const ContentIssuer& issuer, const ArtifactStore& artifacts, const Clock& clock)
      : options_(options),
        writer_(writer),
        enrollment_(enrollment),
        issuer_(issuer),
        artifacts_(artifacts),
        clock_(clock),
        enroll_limiter_(options.enroll_limits, clock) {}

  uint64_t bodyLimit(const http::request_header<>& header) const override;
  std::optional<HttpResponse> precheck(const http::request_header<>& header,
                                       const PeerInfo& peer) const override;
  HttpResponse errorResponse(http::status status, ErrorCode code,
                             const std::string& message) const override;
  void handle(HttpRequest request, const PeerInfo& peer, Responder respond) override;

 private:
  void enroll(const HttpRequest& request, const PeerInfo& peer, Responder& respond);
  void checkin(const HttpRequest& request, const PeerInfo& peer, Responder& respond);
  void events(const HttpRequest& request, const PeerInfo& peer, Responder& respond);
  void artifact(const HttpRequest& request, Responder& respond) const;
  void submit(std::unique_ptr<WriteJob> job, Responder& respond);
  void fail(const Status& status, Responder& respond) const;

  AgentApiOptions options_;
  IngestWriter& writer_;
  const Enrollment& enrollment_;
  const ContentIssuer& issuer_;
  const ArtifactStore& artifacts_;
  const Clock& clock_;
  EnrollRateLimiter enroll_limiter_;
};

}  // namespace xiaoan::collector
