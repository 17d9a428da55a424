#pragma once

#include <chrono>
#include <optional>

#include "platform/result.h"
#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::agent {

// The agent's view of the collector's agent API (DESIGN.md §4). Implementations map every
// failure to a stable code: transport (E_TLS_PIN_MISMATCH, E_COLLECTOR_UNREACHABLE,
// E_TIMEOUT, ...), HTTP (401 E_UNAUTHORIZED, 403 E_FORBIDDEN, 413 E_TOO_LARGE,
// 429 E_RATE_LIMITED, 503 E_OVERLOADED, 400 E_PROTOCOL, other E_HTTP_STATUS) and undecodable
// answers (E_PROTOCOL). One instance per thread.
class CollectorApi {
 public:
  virtual ~CollectorApi() = default;
  virtual Result<v1::EnrollResponse> enroll(const v1::EnrollRequest& request) = 0;
  virtual Result<v1::CheckinResponse> checkin(const v1::CheckinRequest& request) = 0;
  virtual Result<v1::EventBatchResponse> sendEvents(const v1::EventBatch& batch) = 0;
  // The wait the collector asked for with the last failed call (503 or 429 Retry-After), if any.
  virtual std::optional<std::chrono::seconds> lastRetryAfter() const = 0;
};

// True for failures that mean "cannot reach the collector" (OFFLINE) rather than "the
// collector or something in between answered wrongly" (ERROR).
bool isOfflineError(ErrorCode code);

}  // namespace xiaoan::agent
