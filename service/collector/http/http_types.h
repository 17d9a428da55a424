#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "platform/error_code.h"
#include "service/collector/http/range_file.h"

namespace xiaoan::collector {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// What the TLS layer knows about the peer of a connection.
struct PeerInfo {
  std::string remote_address;  // "ip:port"
  // Set only when the peer presented a certificate that verified against the client CA.
  bool client_cert_verified = false;
  std::string client_cert_cn;
};

// Completion of one request. Copyable and callable from any thread; the first call wins.
// When the last copy dies without a call (a bug), a plain 500 is sent, so a connection never
// hangs on a lost completion.
class Responder {
 public:
  using Sink = std::function<void(HttpResponse)>;
  using FileSink = std::function<void(FileResponse)>;
  // `file_sink` streams file answers; without one they become a plain 500.
  explicit Responder(Sink sink, FileSink file_sink = nullptr);
  void operator()(HttpResponse response) const;
  void operator()(FileResponse response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Application side of a listener.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Largest body accepted for a request with these headers (checked against Content-Length
  // before the body is read, and while reading chunked bodies).
  virtual uint64_t bodyLimit(const http::request_header<>& header) const = 0;
  // An answer decided from the headers alone (unknown path, missing credentials), sent
  // without reading the body; nullopt lets the request proceed.
  virtual std::optional<HttpResponse> precheck(const http::request_header<>& header,
                                               const PeerInfo& peer) const = 0;
  // An error answer in the API's body format (used by the transport for 413, 415, 503, ...).
  virtual HttpResponse errorResponse(http::status status, ErrorCode code,
                                     const std::string& message) const = 0;
  // Handles one request; must call `respond` exactly once, from any thread. May throw: the
  // caller turns exceptions into 500 E_INTERNAL.
  virtual void handle(HttpRequest request, const PeerInfo& peer, Responder respond) = 0;
};

struct ListenerOptions {
  std::string name;  // "agent api" / "admin api": logs and the "listening on" line
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  size_t max_connections = 4096;  // more are accepted and closed at once
  // Connections from one source address at once (IPv4-mapped IPv6 counts as the IPv4
  // address); more are accepted and closed at once, so one peer cannot take the listener's
  // whole budget.
  size_t max_connections_per_address = 256;
  // Request bodies being received at once, by declared length (or the route cap for chunked
  // bodies); beyond it new requests get 503 before their body is read.
  uint64_t max_body_bytes_in_flight = 256ull * 1024 * 1024;
  uint32_t header_limit = 8 * 1024;
  // From the accept to the end of the TLS handshake: a peer that connects and stays silent
  // (or handshakes slowly) is cut after this.
  std::chrono::seconds tls_handshake_timeout{5};
  std::chrono::seconds handshake_timeout{15};  // TLS handshake + first request headers
  std::chrono::seconds request_timeout{60};    // one whole request, headers to last body byte
  std::chrono::seconds idle_timeout{30};       // keep-alive wait for the next request
  std::chrono::seconds write_timeout{30};
  uint32_t retry_after_min_seconds = 5;  // 503 during shutdown: Retry-After range
  uint32_t retry_after_max_seconds = 15;
};

// Shared by all listeners of a server: shutdown state and requests being processed.
struct ServerState {
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> in_flight{0};
};

// Beast's string_view as std::string_view.
inline std::string_view toStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Builds a response with the request's version and keep-alive.
HttpResponse makeResponse(http::status status, const std::string& content_type, std::string body);

// A uniformly random Retry-After value in [min, max].
uint32_t jitteredRetryAfter(uint32_t min_seconds, uint32_t max_seconds);

}  // namespace xiaoan::collector
