#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "platform/clock.h"
#include "service/collector/admin_api/admin_auth.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/agent_api/agent_responses.h"
#include "service/collector/http/http_types.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/store/store.h"
#include "service/collector/trust/content_issuer.h"

namespace xiaoan::collector {

// How much admin work runs and waits at once.
struct AdminApiOptions {
  // Requests handled at the same time, each on its own database session (one Store each):
  // a slow request (a bundle compile, a write waiting for the database) holds one worker only.
  size_t workers = 4;
  // Requests accepted but not answered yet (running + queued); beyond it 503 E_OVERLOADED.
  size_t max_pending = 32;
  // Bodies of those requests together (one signature bundle upload always fits).
  uint64_t max_pending_body_bytes = kMaxPublishBodyBytes + (uint64_t{16} << 20);
  RetryAfterRange retry;  // Retry-After of the 503
};

// The admin API: JSON (protobuf JSON mapping, snake_case) with HTTP Basic auth on every call
// (sent by the client unasked: no WWW-Authenticate challenge, so browsers never prompt for and
// cache the credentials, which would make cross-site requests carry them). POST and PUT need
// "Content-Type: application/json" (415 otherwise), which plain HTML forms cannot send.
// Requests run on a small pool of workers off the network threads, so slow queries and
// password hashing never block them, and one slow request does not hold up the others.
// Messages about display names follow Accept-Language ("en..." English, otherwise Chinese).
class AdminApi final : public RequestHandler {
 public:
  // One worker per store in `stores` (at least one).
  AdminApi(std::vector<std::unique_ptr<Store>> stores, const ContentIssuer& issuer,
           ArtifactStore& artifacts, const Clock& clock, const AdminApiOptions& options);
  ~AdminApi() override;

  uint64_t bodyLimit(const http::request_header<>& header) const override;
  // Requests without credentials (401) or with a body that is not declared JSON (415) are
  // refused before their body is read.
  std::optional<HttpResponse> precheck(const http::request_header<>& header,
                                       const PeerInfo& peer) const override;
  HttpResponse errorResponse(http::status status, ErrorCode code,
                             const std::string& message) const override;
  void handle(HttpRequest request, const PeerInfo& peer, Responder respond) override;
  // Finishes queued requests and joins the workers.
  void stop();

 private:
  struct Worker;
  class Admission;

  HttpResponse process(Worker& worker, const HttpRequest& request, const PeerInfo& peer);
  HttpResponse errorResponse(http::status status, ErrorCode code, const std::string& message,
                             const std::vector<policy::FieldIssue>& field_errors,
                             const std::vector<v1::RuleDiagnostic>& rule_errors) const;
  HttpResponse failure(const Status& status,
                       const std::vector<policy::FieldIssue>& field_errors = {},
                       const std::vector<v1::RuleDiagnostic>& rule_errors = {}) const;
  HttpResponse overloaded(Lang lang) const;
  bool admit(uint64_t body_bytes);
  void release(uint64_t body_bytes);
  Worker& takeWorker();
  void returnWorker(Worker& worker);

  AdminApiOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex mu_;  // guards idle_, pending_, pending_bytes_
  std::vector<Worker*> idle_;
  size_t pending_ = 0;
  uint64_t pending_bytes_ = 0;
  // One signature bundle is compiled at a time: each holds its bundle and libyara's tables.
  std::mutex publish_mu_;
  boost::asio::thread_pool pool_;
};

}  // namespace xiaoan::collector
