#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "platform/result.h"
#include "service/collector/http/http_types.h"

namespace xiaoan::collector {

// Range of the Retry-After value of 503 answers (seconds); jittered so that agents told to
// wait do not come back in lockstep.
struct RetryAfterRange {
  uint32_t min_seconds = 5;
  uint32_t max_seconds = 30;
};

// 200 with a protobuf body.
HttpResponse protobufResponse(const google::protobuf::Message& message);

// An ErrorResponse answer for a failed Status: E_UNAUTHORIZED -> 401, E_FORBIDDEN and
// E_ENROLL_PENDING -> 403,
// E_PROTOCOL/E_INVALID_ARGUMENT -> 400, E_TOO_LARGE -> 413,
// E_RATE_LIMITED -> 429, E_OVERLOADED/E_DATABASE -> 503
// with Retry-After, anything else -> 500 E_INTERNAL (details only in the log).
HttpResponse agentErrorResponse(const Status& status, const RetryAfterRange& retry);

// 429 with the ErrorResponse of `status` (E_RATE_LIMITED) and Retry-After: retry_after_seconds.
HttpResponse rateLimitedResponse(const Status& status, uint32_t retry_after_seconds);

// An ErrorResponse with an explicit HTTP status.
HttpResponse agentErrorResponse(http::status http_status, ErrorCode code,
                                const std::string& message, const RetryAfterRange& retry);

}  // namespace xiaoan::collector
