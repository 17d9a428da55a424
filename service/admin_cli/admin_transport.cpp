#include "service/admin_cli/admin_transport.h"

namespace xiaoan::admin {
namespace {

class HttpsTransport final : public AdminTransport {
 public:
  explicit HttpsTransport(HttpClientOptions options) : client_(std::move(options)) {}

  Result<HttpResponse> send(const AdminHttpRequest& request) override {
    if (request.method == "POST") {
      return client_.post(request.url, request.content_type, request.body, request.headers);
    }
    if (request.method == "GET") return client_.get(request.url, request.headers);
    if (request.method == "PUT") {
      return client_.send("PUT", request.url, request.content_type, &request.body, request.headers);
    }
    if (request.method == "DELETE") {
      return client_.send("DELETE", request.url, "", nullptr, request.headers);
    }
    return Status(ErrorCode::kInternal, "unsupported method " + request.method);
  }

 private:
  HttpClient client_;
};

}  // namespace

std::unique_ptr<AdminTransport> makeHttpsTransport(const std::string& ca_file) {
  HttpClientOptions options;
  options.ca_file = ca_file;
  options.connect_timeout = std::chrono::seconds(10);
  options.total_timeout = std::chrono::seconds(120);  // event listings can be large
  options.max_response_bytes = 64 * 1024 * 1024;
  options.user_agent = "xiaoan-admin/" XIAOAN_VERSION;
  return std::make_unique<HttpsTransport>(std::move(options));
}

}  // namespace xiaoan::admin
