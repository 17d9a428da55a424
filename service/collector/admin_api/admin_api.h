#pragma once

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "platform/clock.h"
#include "service/collector/admin_api/admin_auth.h"
#include "service/collector/admin_api/admin_commands.h"
#include "service/collector/http/http_types.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/store/store.h"
#include "service/collector/trust/content_issuer.h"

namespace xiaoan::collector {

// The admin API: JSON (protobuf JSON mapping, snake_case) with HTTP Basic auth on every call.
// Requests run one at a time on a worker thread with the API's own database session, so slow
// queries and password hashing never block the network threads.
class AdminApi final : public RequestHandler {
 public:
  AdminApi(std::unique_ptr<Store> store, const ContentIssuer& issuer, ArtifactStore& artifacts,
           const Clock& clock);
  ~AdminApi() override;

  uint64_t bodyLimit(const http::request_header<>& header) const override;
  // Requests without credentials are refused before their body is read.
  std::optional<HttpResponse> precheck(const http::request_header<>& header,
                                       const PeerInfo& peer) const override;
  HttpResponse errorResponse(http::status status, ErrorCode code,
                             const std::string& message) const override;
  void handle(HttpRequest request, const PeerInfo& peer, Responder respond) override;
  // Finishes queued requests and joins the worker.
  void stop();

 private:
  HttpResponse process(const HttpRequest& request, const PeerInfo& peer);
  HttpResponse errorResponse(http::status status, ErrorCode code, const std::string& message,
                             const std::vector<policy::FieldIssue>& field_errors,
                             const std::vector<v1::RuleDiagnostic>& rule_errors) const;
  HttpResponse failure(const Status& status,
                       const std::vector<policy::FieldIssue>& field_errors = {},
                       const std::vector<v1::RuleDiagnostic>& rule_errors = {}) const;

  std::unique_ptr<Store> store_;
  AdminAuthenticator auth_;
  AdminCommands commands_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace xiaoan::collector
