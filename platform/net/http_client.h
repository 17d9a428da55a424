#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

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

// A streamed GET (HttpClient::download): limits of one transfer.
struct DownloadOptions {
  // Sends "Range: bytes=N-" to continue a partial file; the answer says whether the server
  // did (206 with Content-Range) or sends everything again (200).
  std::optional<uint64_t> resume_from;
  // The whole transfer, connect included.
  std::chrono::milliseconds deadline{60'000};
  // Fails when the rate stays below this for `min_rate_window` (0: the client's own limit).
  uint32_t min_bytes_per_second = 0;
  std::chrono::seconds min_rate_window{30};
  std::map<std::string, std::string> headers;
};

// What a 2xx answer of a download said before its body.
struct DownloadHead {
  long status = 0;
  // First byte position from "Content-Range: bytes N-M/T" (206 answers).
  std::optional<uint64_t> range_start;
};

// Receives a download as it arrives. A non-OK Status from either callback aborts the transfer
// and is what download() returns.
struct DownloadSink {
  // Once per 2xx answer, before any body byte (also for an empty body).
  std::function<Status(const DownloadHead&)> on_head;
  // Each piece of the 2xx body, in order.
  std::function<Status(std::string_view)> on_data;
};

// The stable code for an HTTP error status answered by one of our APIs: 400 E_PROTOCOL,
// 401 E_UNAUTHORIZED, 403 E_FORBIDDEN, 413 E_TOO_LARGE, 429 E_RATE_LIMITED, 503 E_OVERLOADED, any
// other E_HTTP_STATUS. Callers refine it where a status means more to them (404 for an artifact).
ErrorCode errorCodeForHttpStatus(long status);

// One libcurl easy handle (connection reuse across calls); not thread-safe: one per thread.
// Transport failures map to stable codes: certificate not trusted -> E_TLS_PIN_MISMATCH
// (outside its validity period by our clock -> E_TLS_CERT_TIME),
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
  // Any other method (PUT, DELETE, ...), with a body when `body` is not null.
  Result<HttpResponse> send(const std::string& method, const std::string& url,
                            const std::string& content_type, const std::string* body,
                            const std::map<std::string, std::string>& headers = {});

  // GET that streams a 2xx body into `sink` instead of memory, for files of any size (the
  // sink enforces their length). Any other status comes back as a response whose body holds
  // at most the first 64 KiB. A transfer that times out after the answer began (below the
  // minimum rate, or past the deadline) is E_DOWNLOAD_TOO_SLOW.
  Result<HttpResponse> download(const std::string& url, const DownloadOptions& options,
                                const DownloadSink& sink);

 private:
  struct Request;
  Result<HttpResponse> perform(const Request& request);
  HttpClientOptions options_;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace xiaoan
