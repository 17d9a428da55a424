#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan::collector::testing {

struct ClientIdentity {
  std::string cert_pem;
  std::string key_pem;
};

struct RawResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct TlsClientOptions {
  uint16_t port = 0;
  std::string ca_pem;                         // trust anchor for the server
  std::optional<ClientIdentity> identity;     // client certificate (mTLS)
  bool max_tls_1_1 = false;                   // offer only TLS <= 1.1
  std::string tls12_ciphers{};                // when set: offer only TLS 1.2 with these suites
  std::chrono::milliseconds timeout{10'000};  // per operation
  std::string source_address{};               // bind to it first ("127.0.0.2": another peer)
};

// A small blocking HTTPS/1.1 client over Beast with per-operation time-outs, able to send
// arbitrary bytes: for the transport edge cases libcurl will not produce. One connection.
class TlsClient {
 public:
  explicit TlsClient(TlsClientOptions options);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // TCP connect + TLS handshake. With TLS 1.3 a refused client certificate only shows at the
  // first read.
  Status connect();
  // TCP connect only (no TLS): for time-out and connection-cap tests.
  Status connectTcpOnly();
  // Sends a request and reads the answer. `headers` may override Content-Length etc.
  Result<RawResponse> request(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers = {});
  // Writes raw bytes over TLS.
  Status writeRaw(std::string_view bytes);
  Result<RawResponse> readResponse();
  // Waits until the peer closes (true) or the timeout passes (false); plain TCP.
  bool tcpClosedByPeer(std::chrono::milliseconds within);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoan::collector::testing
