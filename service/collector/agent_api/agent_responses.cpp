#include "service/collector/agent_api/agent_responses.h"

#include "platform/logging.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kProtobufType = "application/x-protobuf";

http::status httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnauthorized:
      return http::status::unauthorized;
    case ErrorCode::kForbidden:
    case ErrorCode::kEnrollPending:
      return http::status::forbidden;
    case ErrorCode::kProtocol:
    case ErrorCode::kInvalidArgument:
      return http::status::bad_request;
    case ErrorCode::kTooLarge:
      return http::status::payload_too_large;
    case ErrorCode::kRateLimited:
      return http::status::too_many_requests;
    case ErrorCode::kOverloaded:
    case ErrorCode::kDatabase:
      return http::status::service_unavailable;
    case ErrorCode::kNotFound:
      return http::status::not_found;
    default:
      return http::status::internal_server_error;
  }
}

}  // namespace

HttpResponse protobufResponse(const google::protobuf::Message& message) {
  return makeResponse(http::status::ok, kProtobufType, message.SerializeAsString());
}

HttpResponse agentErrorResponse(http::status http_status, ErrorCode code,
                                const std::string& message, const RetryAfterRange& retry) {
  v1::ErrorResponse body;
  body.mutable_error()->set_code(std::string(errorCodeName(code)));
  body.mutable_error()->set_message(message);
  uint32_t retry_after = 0;
  if (http_status == http::status::service_unavailable) {
    retry_after = jitteredRetryAfter(retry.min_seconds, retry.max_seconds);
    body.set_retry_after_seconds(retry_after);
  }
  auto res = makeResponse(http_status, kProtobufType, body.SerializeAsString());
  if (retry_after > 0) res.set(http::field::retry_after, std::to_string(retry_after));
  return res;
}

HttpResponse rateLimitedResponse(const Status& status, uint32_t retry_after_seconds) {
  v1::ErrorResponse body;
  body.mutable_error()->set_code(std::string(errorCodeName(status.code())));
  body.mutable_error()->set_message(status.message());
  body.set_retry_after_seconds(retry_after_seconds);
  auto res = makeResponse(http::status::too_many_requests, kProtobufType, body.SerializeAsString());
  res.set(http::field::retry_after, std::to_string(retry_after_seconds));
  return res;
}

HttpResponse agentErrorResponse(const Status& status, const RetryAfterRange& retry) {
  http::status http_status = httpStatusFor(status.code());
  if (http_status == http::status::internal_server_error) {
    componentLogger(LogComponent::kCollectorAgentApi)
        ->error("internal error: {}", status.toString());
    return agentErrorResponse(http_status, ErrorCode::kInternal, "internal error", retry);
  }
  if (status.code() == ErrorCode::kDatabase) {
    componentLogger(LogComponent::kCollectorAgentApi)
        ->error("database error: {}", status.toString());
    return agentErrorResponse(http_status, ErrorCode::kDatabase, "storage unavailable", retry);
  }
  return agentErrorResponse(http_status, status.code(), status.message(), retry);
}

}  // namespace xiaoan::collector
