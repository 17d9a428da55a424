#pragma once

// A tiny HTTPS server on 127.0.0.1 for tests of HTTPS clients: one connection at a time,
// one request per connection, canned answers from a handler. Not for production use.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/crypto/pki.h"

namespace xiaoan::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::string headers;  // raw header block
  std::string body;
  bool had_client_cert = false;
  std::string client_cn;
};

// Returns the raw HTTP response bytes to send.
using TestHandler = std::function<std::string(const TestRequest&)>;

// Writes the response piece by piece (slow or endless bodies); `write` returns false once the
// client has gone, and the handler should then return.
using TestStreamHandler =
    std::function<void(const TestRequest&, const std::function<bool(std::string_view)>& write)>;

// A self-made CA with server and client certificates, all PEM.
struct TestPki {
  std::string ca_pem;
  pki::PrivateKey ca_key;
  // Issues a leaf for `cn`; server leaves get SANs dns_names/ip_addresses.
  std::pair<std::string, std::string> issue(const std::string& cn,
                                            const std::vector<std::string>& dns,
                                            const std::vector<std::string>& ips, bool server);
  static TestPki create(const std::string& ca_cn);
};

// "HTTP/1.1 <status> X\r\nContent-Type: ...\r\nContent-Length: N\r\n<extra>\r\n<body>"
std::string httpResponse(int status, const std::string& content_type, const std::string& body,
                         const std::string& extra_headers = "");

class TlsTestServer {
 public:
  struct Options {
    std::string cert_pem;
    std::string key_pem;
    std::string client_ca_pem;  // when set, client certificates are required and verified
  };
  TlsTestServer(Options options, TestHandler handler);
  TlsTestServer(Options options, TestStreamHandler handler);
  ~TlsTestServer();
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const;
  // Requests fully read so far.
  std::vector<TestRequest> requests() const;
  // Connections accepted (including failed handshakes).
  int connections() const { return connections_.load(); }

 private:
  struct Impl;
  void run();
  std::unique_ptr<Impl> impl_;
  TestStreamHandler handler_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<TestRequest> requests_;
  std::thread thread_;
};

// A listening TCP socket on 127.0.0.1 that never accepts or answers (for time-outs).
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A loopback port on which nothing listens (bound, then released).
uint16_t unusedPort();

}  // namespace xiaoan::testing
