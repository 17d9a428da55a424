#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "platform/result.h"

namespace xiaoan {

// Options for an HTTPS client that trusts only the given CA file (no system store),
// verifies the host name, follows no redirects and caps what it reads.
struct HttpClientOptions {
  std::string ca_file;           // required: PEM trust anchor(s)
  std::string client_cert_file;  // optional: PEM client certificate for mTLS
  std::string client_key_file;   // optional: PEM private key for mTLS
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  // Abort when the transfer rate stays below this for low_speed_time (stalled peers).
  uint32_t low_speed_bytes_per_second = 100;
  std::chrono::seconds low_speed_time{30};
  size_t max_response_bytes = 8 * 1024 * 1024;
  std::string user_agent = "xiaoan";
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::optional<uint32_t> retry_after_seconds;  // parsed Retry-After (seconds form)
};

// One libcurl easy handle (connection reuse across calls); not thread-safe: one per thread.
// Transport failures map to stable codes: certificate not trusted -> E_TLS_PIN_MISMATCH,
// other TLS failures -> E_TLS_HANDSHAKE, resolve/connect -> E_COLLECTOR_UNREACHABLE,
// time-outs -> E_TIMEOUT, oversized answers -> E_TOO_LARGE. HTTP error statuses are not
// transport failures: they come back as a response with that status.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> post(const std::string& url, const std::string& content_type,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers = {});
  Result<HttpResponse> get(const std::string& url,
                           const std::map<std::string, std::string>& headers = {});

 private:
  Result<HttpResponse> perform(const std::string& url, const std::string* body,
                               const std::string& content_type,
                               const std::map<std::string, std::string>& headers);
  HttpClientOptions options_;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace xiaoan
