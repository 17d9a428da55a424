#include "service/collector/admin_api/admin_api.h"

#include <boost/asio/post.hpp>

#include "common/proto_json.h"
#include "platform/logging.h"
#include "service/collector/admin_api/admin_request.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kJsonType = "application/json; charset=utf-8";

http::status httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kProtocol:
    case ErrorCode::kRulesInvalid:
      return http::status::bad_request;
    case ErrorCode::kUnauthorized:
      return http::status::unauthorized;
    case ErrorCode::kForbidden:
    case ErrorCode::kPermissionDenied:
      return http::status::forbidden;
    case ErrorCode::kNotFound:
      return http::status::not_found;
    case ErrorCode::kUnsupported:
      return http::status::method_not_allowed;
    case ErrorCode::kTooLarge:
      return http::status::payload_too_large;
    case ErrorCode::kTrustRootMissing:
      return http::status::conflict;
    default:
      return http::status::internal_server_error;
  }
}

}  // namespace

AdminApi::AdminApi(std::unique_ptr<Store> store, const ContentIssuer& issuer,
                   ArtifactStore& artifacts, const Clock& clock)
    : store_(std::move(store)), auth_(*store_), commands_(*store_, clock, issuer, artifacts) {}

AdminApi::~AdminApi() { stop(); }

void AdminApi::stop() { worker_.join(); }

uint64_t AdminApi::bodyLimit(const http::request_header<>& header) const {
  return adminBodyLimit(toStd(header.method_string()), toStd(header.target()));
}

std::optional<HttpResponse> AdminApi::precheck(const http::request_header<>& header,
                                               const PeerInfo& /*peer*/) const {
  if (header[http::field::authorization].empty()) {
    return errorResponse(http::status::unauthorized, ErrorCode::kUnauthorized,
                         "HTTP Basic authentication required");
  }
  return std::nullopt;
}

HttpResponse AdminApi::errorResponse(http::status status, ErrorCode code,
                                     const std::string& message) const {
  return errorResponse(status, code, message, {}, {});
}

HttpResponse AdminApi::errorResponse(http::status status, ErrorCode code,
                                     const std::string& message,
                                     const std::vector<policy::FieldIssue>& field_errors,
                                     const std::vector<v1::RuleDiagnostic>& rule_errors) const {
  v1::AdminError body;
  body.mutable_error()->set_code(std::string(errorCodeName(code)));
  body.mutable_error()->set_message(message);
  for (const auto& issue : field_errors) {
    auto* e = body.add_field_errors();
    e->set_field(issue.field);
    e->set_message(issue.message);
  }
  for (const auto& d : rule_errors) *body.add_rule_errors() = d;
  auto json = toCompactJson(body);
  auto res = makeResponse(status, kJsonType, json.isOk() ? *json + "\n" : "{}\n");
  if (status == http::status::unauthorized) {
    res.set(http::field::www_authenticate, "Basic realm=\"xiaoan\", charset=\"UTF-8\"");
  }
  return res;
}

HttpResponse AdminApi::failure(const Status& status,
                               const std::vector<policy::FieldIssue>& field_errors,
                               const std::vector<v1::RuleDiagnostic>& rule_errors) const {
  http::status http_status = httpStatusFor(status.code());
  if (http_status == http::status::internal_server_error) {
    componentLogger(LogComponent::kCollectorAdminApi)
        ->error("admin request failed: {}", status.toString());
    return errorResponse(http_status, ErrorCode::kInternal, "internal error");
  }
  return errorResponse(http_status, status.code(), status.message(), field_errors, rule_errors);
}

void AdminApi::handle(HttpRequest request, const PeerInfo& peer, Responder respond) {
  boost::asio::post(worker_, [this, request = std::move(request), peer, respond]() {
    try {
      respond(process(request, peer));
    } catch (const std::exception& e) {
      componentLogger(LogComponent::kCollectorAdminApi)->error("admin handler threw: {}", e.what());
      respond(errorResponse(http::status::internal_server_error, ErrorCode::kInternal,
                            "internal error"));
    }
  });
}

HttpResponse AdminApi::process(const HttpRequest& request, const PeerInfo& peer) {
  auto admin = auth_.authenticate(toStd(request[http::field::authorization]));
  if (!admin.isOk()) {
    componentLogger(LogComponent::kCollectorAdminApi)
        ->warn("admin authentication failed from {}", peer.remote_address);
    return failure(admin.status());
  }
  std::vector<policy::FieldIssue> field_errors;
  auto command = parseAdminRequest(toStd(request.method_string()), toStd(request.target()),
                                   request.body(), &field_errors);
  if (!command.isOk()) return failure(command.status(), field_errors);
  std::vector<v1::RuleDiagnostic> rule_errors;
  auto answer = commands_.run(std::move(*command), *admin, &rule_errors);
  if (!answer.isOk()) return failure(answer.status(), {}, rule_errors);
  if (answer->content_type != kJsonType) {
    return makeResponse(http::status::ok, answer->content_type, std::move(answer->body));
  }
  return makeResponse(http::status::ok, kJsonType, std::move(answer->body) + "\n");
}

}  // namespace xiaoan::collector
