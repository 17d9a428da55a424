#pragma once

#include <map>
#include <memory>
#include <string>

#include "platform/net/http_client.h"
#include "platform/result.h"

namespace xiaoan::admin {

struct AdminHttpRequest {
  std::string method;  // "GET", "POST", "PUT" or "DELETE"
  std::string url;
  std::string body;  // JSON for POST and PUT (or content_type)
  std::map<std::string, std::string> headers;
  std::string content_type = "application/json";  // of body
};

// The admin CLI's view of HTTPS: one request, one response. Transport failures are Status
// (E_TLS_PIN_MISMATCH, E_COLLECTOR_UNREACHABLE, E_TIMEOUT, ...); HTTP error statuses are
// responses. Tests substitute a fake.
class AdminTransport {
 public:
  virtual ~AdminTransport() = default;
  virtual Result<HttpResponse> send(const AdminHttpRequest& request) = 0;
};

// HTTPS through platform's HttpClient, trusting only the collector CA in `ca_file`.
std::unique_ptr<AdminTransport> makeHttpsTransport(const std::string& ca_file);

}  // namespace xiaoan::admin
