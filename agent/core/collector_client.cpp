#include "agent/core/collector_client.h"

#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::agent {
namespace {

constexpr std::string_view kProtobufType = "application/x-protobuf";

HttpClientOptions httpOptions(const CollectorClientOptions& o) {
  HttpClientOptions h;
  h.ca_file = o.ca_file;
  h.client_cert_file = o.cert_file;
  h.client_key_file = o.key_file;
  h.connect_timeout = o.connect_timeout;
  h.total_timeout = o.total_timeout;
  h.max_response_bytes = o.max_response_bytes;
  h.user_agent = std::string("xiaoan-agent/") + XIAOAN_VERSION;
  return h;
}

bool isProtobuf(const std::string& content_type) {
  return content_type.substr(0, kProtobufType.size()) == kProtobufType;
}

// A short printable excerpt of an unexpected body (HTML from a captive portal, ...).
std::string excerpt(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 80)) out.push_back(c >= 0x20 && c < 0x7f ? c : '.');
  return out;
}

}  // namespace

bool isOfflineError(ErrorCode code) {
  return code == ErrorCode::kCollectorUnreachable || code == ErrorCode::kTimeout;
}

CollectorClient::CollectorClient(CollectorClientOptions options)
    : options_(std::move(options)), http_(httpOptions(options_)) {}

Result<v1::EnrollResponse> CollectorClient::enroll(const v1::EnrollRequest& request) {
  v1::EnrollResponse response;
  XIAOAN_RETURN_IF_ERROR(call("/v1/enroll", request, response));
  return response;
}

Result<v1::CheckinResponse> CollectorClient::checkin(const v1::CheckinRequest& request) {
  v1::CheckinResponse response;
  XIAOAN_RETURN_IF_ERROR(call("/v1/checkin", request, response));
  return response;
}

Result<v1::EventBatchResponse> CollectorClient::sendEvents(const v1::EventBatch& batch) {
  v1::EventBatchResponse response;
  XIAOAN_RETURN_IF_ERROR(call("/v1/events", batch, response));
  return response;
}

Status CollectorClient::call(const std::string& path, const google::protobuf::MessageLite& request,
                             google::protobuf::MessageLite& response) {
  retry_after_.reset();
  std::string body;
  if (!request.SerializeToString(&body)) {
    return Status(ErrorCode::kInternal, "cannot serialize " + request.GetTypeName());
  }
  auto r = http_.post(options_.base_url + path, std::string(kProtobufType), body);
  if (!r.isOk()) return r.status();
  if (r->status < 200 || r->status > 299) return errorFromResponse(path, *r);
  if (!isProtobuf(r->content_type)) {
    return Status(ErrorCode::kProtocol, path + ": HTTP " + std::to_string(r->status) +
                                            " with Content-Type '" + r->content_type +
                                            "' (not protobuf): " + excerpt(r->body));
  }
  if (!response.ParseFromString(r->body)) {
    return Status(ErrorCode::kProtocol,
                  path + ": answer does not decode as " + response.GetTypeName());
  }
  return Status::ok();
}

Status CollectorClient::errorFromResponse(const std::string& path, const HttpResponse& r) {
  std::string detail;
  v1::ErrorResponse err;
  const bool decoded = isProtobuf(r.content_type) && err.ParseFromString(r.body);
  if (decoded && !err.error().code().empty()) {
    detail = err.error().code() + ": " + err.error().message();
  } else if (!r.body.empty()) {
    detail = excerpt(r.body);
  }
  if (r.status == 503 || r.status == 429) {
    if (r.retry_after_seconds) {
      retry_after_ = std::chrono::seconds(*r.retry_after_seconds);
    } else if (decoded && err.retry_after_seconds() > 0) {
      retry_after_ = std::chrono::seconds(std::min<uint32_t>(err.retry_after_seconds(), 86400));
    }
  }
  std::string message = path + ": HTTP " + std::to_string(r.status);
  if (!detail.empty()) message += " (" + detail + ")";
  return Status(errorCodeForHttpStatus(r.status), message);
}

}  // namespace xiaoan::agent
