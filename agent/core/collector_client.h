#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "agent/core/collector_api.h"
#include "platform/net/http_client.h"

namespace xiaoan::agent {

struct CollectorClientOptions {
  std::string base_url;   // "https://host:port", no trailing slash
  std::string ca_file;    // the pinned collector CA
  std::string cert_file;  // client certificate (empty: enrollment only)
  std::string key_file;   // its key
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  size_t max_response_bytes = 4 * 1024 * 1024;
};

// CollectorApi over HTTPS (libcurl) with protobuf bodies.
class CollectorClient final : public CollectorApi {
 public:
  explicit CollectorClient(CollectorClientOptions options);

  Result<v1::EnrollResponse> enroll(const v1::EnrollRequest& request) override;
  Result<v1::CheckinResponse> checkin(const v1::CheckinRequest& request) override;
  Result<v1::EventBatchResponse> sendEvents(const v1::EventBatch& batch) override;
  std::optional<std::chrono::seconds> lastRetryAfter() const override { return retry_after_; }

 private:
  Status call(const std::string& path, const google::protobuf::MessageLite& request,
              google::protobuf::MessageLite& response);
  Status errorFromResponse(const std::string& path, const HttpResponse& response);

  CollectorClientOptions options_;
  HttpClient http_;
  std::optional<std::chrono::seconds> retry_after_;
};

}  // namespace xiaoan::agent
