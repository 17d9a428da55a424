#include "service/collector/admin_api/admin_api.h"

#include <utility>
#include <variant>

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>

#include "common/proto_json.h"
#include "common/text/tr.h"
#include "platform/logging.h"
#include "service/collector/admin_api/admin_request.h"

namespace xiaoan::collector {
namespace {

constexpr const char* kJsonType = "application/json; charset=utf-8";

http::status httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kProtocol:
    case ErrorCode::kRulesInvalid:
      return http::status::bad_request;
    case ErrorCode::kUnauthorized:
      return http::status::unauthorized;
    case ErrorCode::kForbidden:
    case ErrorCode::kPermissionDenied:
      return http::status::forbidden;
    case ErrorCode::kNotFound:
      return http::status::not_found;
    case ErrorCode::kUnsupported:
      return http::status::method_not_allowed;
    case ErrorCode::kTooLarge:
      return http::status::payload_too_large;
    case ErrorCode::kTrustRootMissing:
    case ErrorCode::kExists:
      return http::status::conflict;
    default:
      return http::status::internal_server_error;
  }
}

// "en", "en-US,en;q=0.9" -> English; anything else (zh-CN, none) -> Chinese.
Lang requestLang(const http::request_header<>& header) {
  auto value = header[http::field::accept_language];
  return value.size() >= 2 && boost::beast::iequals(value.substr(0, 2), "en") ? Lang::kEn
                                                                              : Lang::kZhCn;
}

// `want` ("application/json"), parameters (charset) allowed, any case.
bool isContentType(boost::beast::string_view value, boost::beast::string_view want) {
  boost::beast::string_view type = value.substr(0, value.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return boost::beast::iequals(type, want);
}

}  // namespace

// One worker's own database session and the objects that use it.
struct AdminApi::Worker {
  Worker(std::unique_ptr<Store> s, const ContentIssuer& issuer, ArtifactStore& artifacts,
         const Clock& clock)
      : store(std::move(s)), auth(*store), commands(*store, clock, issuer, artifacts) {}
  std::unique_ptr<Store> store;
  AdminAuthenticator auth;
  AdminCommands commands;
};

// A request's place in the pending budget, given back however its task ends.
class AdminApi::Admission {
 public:
  Admission(AdminApi& api, uint64_t bytes) : api_(&api), bytes_(bytes) {}
  Admission(Admission&& other) noexcept
      : api_(std::exchange(other.api_, nullptr)), bytes_(other.bytes_) {}
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;
  Admission& operator=(Admission&&) = delete;
  ~Admission() { done(); }
  // Gives the place back now (before the answer goes out, so the peer never sees it taken).
  void done() {
    if (api_ != nullptr) std::exchange(api_, nullptr)->release(bytes_);
  }

 private:
  AdminApi* api_;
  uint64_t bytes_;
};

AdminApi::AdminApi(std::vector<std::unique_ptr<Store>> stores, const ContentIssuer& issuer,
                   ArtifactStore& artifacts, const Clock& clock, const AdminApiOptions& options)
    : options_(options), pool_(std::max<size_t>(1, stores.size())) {
  for (auto& store : stores) {
    workers_.push_back(std::make_unique<Worker>(std::move(store), issuer, artifacts, clock));
    idle_.push_back(workers_.back().get());
  }
}

AdminApi::~AdminApi() { stop(); }

void AdminApi::stop() { pool_.join(); }

bool AdminApi::admit(uint64_t body_bytes) {
  std::lock_guard lock(mu_);
  if (pending_ > 0 && (pending_ >= options_.max_pending ||
                       pending_bytes_ + body_bytes > options_.max_pending_body_bytes)) {
    return false;
  }
  ++pending_;
  pending_bytes_ += body_bytes;
  return true;
}

void AdminApi::release(uint64_t body_bytes) {
  std::lock_guard lock(mu_);
  --pending_;
  pending_bytes_ -= body_bytes;
}

// The pool has one thread per worker, so a running task always finds one idle.
AdminApi::Worker& AdminApi::takeWorker() {
  std::lock_guard lock(mu_);
  Worker* w = idle_.back();
  idle_.pop_back();
  return *w;
}

void AdminApi::returnWorker(Worker& worker) {
  std::lock_guard lock(mu_);
  idle_.push_back(&worker);
}

uint64_t AdminApi::bodyLimit(const http::request_header<>& header) const {
  return adminBodyLimit(toStd(header.method_string()), toStd(header.target()));
}

std::optional<HttpResponse> AdminApi::precheck(const http::request_header<>& header,
                                               const PeerInfo& /*peer*/) const {
  if (header[http::field::authorization].empty()) {
    return errorResponse(http::status::unauthorized, ErrorCode::kUnauthorized,
                         "HTTP Basic authentication required");
  }
  const auto method = header.method();
  if (isRegistryUpload(toStd(header.method_string()), toStd(header.target()))) {
    if (isContentType(header[http::field::content_type], "text/csv")) return std::nullopt;
    return errorResponse(http::status::unsupported_media_type, ErrorCode::kProtocol,
                         tr(requestLang(header), "登记表必须以 CSV 上传（Content-Type: text/csv）",
                            "the registry must be uploaded as CSV (Content-Type: text/csv)"));
  }
  if ((method == http::verb::post || method == http::verb::put) &&
      !isContentType(header[http::field::content_type], "application/json")) {
    return errorResponse(
        http::status::unsupported_media_type, ErrorCode::kProtocol,
        tr(requestLang(header), "请求正文必须是 JSON（Content-Type: application/json）",
           "the request body must be JSON (Content-Type: application/json)"));
  }
  return std::nullopt;
}

HttpResponse AdminApi::errorResponse(http::status status, ErrorCode code,
                                     const std::string& message) const {
  return errorResponse(status, code, message, {}, {});
}

HttpResponse AdminApi::errorResponse(http::status status, ErrorCode code,
                                     const std::string& message,
                                     const std::vector<policy::FieldIssue>& field_errors,
                                     const std::vector<v1::RuleDiagnostic>& rule_errors) const {
  v1::AdminError body;
  body.mutable_error()->set_code(std::string(errorCodeName(code)));
  body.mutable_error()->set_message(message);
  for (const auto& issue : field_errors) {
    auto* e = body.add_field_errors();
    e->set_field(issue.field);
    e->set_message(issue.message);
  }
  for (const auto& d : rule_errors) *body.add_rule_errors() = d;
  sanitizeStringFields(&body);  // messages may quote request bytes or rule files
  auto json = toCompactJson(body);
  return makeResponse(status, kJsonType, json.isOk() ? *json + "\n" : "{}\n");
}

HttpResponse AdminApi::overloaded(Lang lang) const {
  auto res = errorResponse(
      http::status::service_unavailable, ErrorCode::kOverloaded,
      tr(lang, "管理请求过多，请稍后重试", "too many admin requests in progress; retry later"));
  res.set(http::field::retry_after, std::to_string(jitteredRetryAfter(options_.retry.min_seconds,
                                                                      options_.retry.max_seconds)));
  return res;
}

HttpResponse AdminApi::failure(const Status& status,
                               const std::vector<policy::FieldIssue>& field_errors,
                               const std::vector<v1::RuleDiagnostic>& rule_errors) const {
  http::status http_status = httpStatusFor(status.code());
  if (http_status == http::status::internal_server_error) {
    componentLogger(LogComponent::kCollectorAdminApi)
        ->error("admin request failed: {}", status.toString());
    return errorResponse(http_status, ErrorCode::kInternal, "internal error");
  }
  return errorResponse(http_status, status.code(), status.message(), field_errors, rule_errors);
}

void AdminApi::handle(HttpRequest request, const PeerInfo& peer, Responder respond) {
  const uint64_t bytes = request.body().size();
  if (!admit(bytes)) return respond(overloaded(requestLang(request)));
  auto task = [this, request = std::move(request), peer, respond,
               admission = Admission(*this, bytes)]() mutable {
    Worker& worker = takeWorker();
    HttpResponse response;
    try {
      response = process(worker, request, peer);
    } catch (const std::exception& e) {
      componentLogger(LogComponent::kCollectorAdminApi)->error("admin handler threw: {}", e.what());
      response = errorResponse(http::status::internal_server_error, ErrorCode::kInternal,
                               "internal error");
    }
    returnWorker(worker);
    admission.done();
    respond(std::move(response));
  };
  boost::asio::post(pool_, std::move(task));
}

HttpResponse AdminApi::process(Worker& worker, const HttpRequest& request, const PeerInfo& peer) {
  auto admin = worker.auth.authenticate(toStd(request[http::field::authorization]));
  if (!admin.isOk()) {
    componentLogger(LogComponent::kCollectorAdminApi)
        ->warn("admin authentication failed from {}", peer.remote_address);
    return failure(admin.status());
  }
  std::vector<policy::FieldIssue> field_errors;
  auto command = parseAdminRequest(toStd(request.method_string()), toStd(request.target()),
                                   request.body(), &field_errors, requestLang(request));
  if (!command.isOk()) return failure(command.status(), field_errors);
  std::unique_lock<std::mutex> publishing;
  if (std::holds_alternative<PublishSignatures>(*command)) {
    publishing = std::unique_lock(publish_mu_);
  }
  std::vector<v1::RuleDiagnostic> rule_errors;
  auto answer = worker.commands.run(std::move(*command), *admin, &rule_errors);
  if (!answer.isOk()) return failure(answer.status(), {}, rule_errors);
  if (answer->content_type != kJsonType) {
    return makeResponse(http::status::ok, answer->content_type, std::move(answer->body));
  }
  return makeResponse(http::status::ok, kJsonType, std::move(answer->body) + "\n");
}

}  // namespace xiaoan::collector
