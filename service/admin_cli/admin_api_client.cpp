#include "service/admin_cli/admin_api_client.h"

#include <google/protobuf/util/json_util.h>

#include <cctype>
#include <vector>

#include "common/proto_json.h"

namespace xiaoan::admin {
namespace {

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) |
                       uint32_t{static_cast<uint8_t>(in[i + 2])};
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 0x3F];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    const uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                       (two ? uint32_t{static_cast<uint8_t>(in[i + 1])} << 8 : 0);
    out += kAlphabet[(v >> 18) & 0x3F];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += two ? kAlphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

// "?a=1&b=2" from the non-empty pairs; "" when none.
std::string query(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (v.empty()) continue;
    out += (out.empty() ? "?" : "&") + k + "=" + urlEncode(v);
  }
  return out;
}

// The Status for an HTTP error answer, using the AdminError body when there is one; its field
// and rule errors go to `field_errors` and `rule_errors`.
Status httpFailure(const HttpResponse& response, std::vector<v1::FieldError>& field_errors,
                   std::vector<v1::RuleDiagnostic>& rule_errors) {
  v1::AdminError error;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const bool parsed =
      checkJsonDepth(response.body).isOk() &&
      google::protobuf::util::JsonStringToMessage(response.body, &error, options).ok();
  ErrorCode code = ErrorCode::kHttpStatus;
  if (response.status == 401) code = ErrorCode::kUnauthorized;
  if (response.status == 403) code = ErrorCode::kForbidden;
  if (code == ErrorCode::kHttpStatus && parsed && !error.error().code().empty()) {
    const ErrorCode named = errorCodeFromName(error.error().code());
    if (errorCodeName(named) == error.error().code()) code = named;
  }
  std::string message = "HTTP " + std::to_string(response.status);
  if (parsed && !error.error().message().empty()) message += ": " + error.error().message();
  if (parsed) {
    field_errors.assign(error.field_errors().begin(), error.field_errors().end());
    rule_errors.assign(error.rule_errors().begin(), error.rule_errors().end());
  }
  return Status(code, message);
}

}  // namespace

std::string urlEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string basicAuthorization(const std::string& user, const std::string& password) {
  return "Basic " + base64(user + ":" + password);
}

AdminApiClient::AdminApiClient(AdminTransport& transport, std::string base_url, std::string user,
                               std::string password, Lang lang)
    : transport_(transport),
      base_url_(std::move(base_url)),
      authorization_(basicAuthorization(user, password)),
      lang_(lang) {}

Result<HttpResponse> AdminApiClient::callRaw(const std::string& method,
                                             const std::string& path_and_query,
                                             const google::protobuf::Message* body) {
  field_errors_.clear();
  rule_errors_.clear();
  AdminHttpRequest request{method, base_url_ + path_and_query, "", {}};
  request.headers["Authorization"] = authorization_;
  request.headers["Accept"] = "application/json";
  request.headers["Accept-Language"] = lang_ == Lang::kEn ? "en" : "zh-CN";
  if (body != nullptr) {
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    auto st = google::protobuf::util::MessageToJsonString(*body, &request.body, print);
    if (!st.ok()) return Status(ErrorCode::kInternal, std::string(st.message()));
  }
  return sendRequest(std::move(request));
}

Result<HttpResponse> AdminApiClient::sendRequest(AdminHttpRequest request) {
  XIAOAN_ASSIGN_OR_RETURN(HttpResponse response, transport_.send(request));
  if (response.status < 200 || response.status > 299) {
    return httpFailure(response, field_errors_, rule_errors_);
  }
  return response;
}

Status AdminApiClient::parseAnswer(const std::string& what, const std::string& json,
                                   google::protobuf::Message* answer) {
  // A hostile or broken server must not stall us either (protobuf's parser is quadratic in
  // nesting depth).
  Status deep = checkJsonDepth(json);
  if (!deep.isOk()) {
    return Status(ErrorCode::kProtocol,
                  "collector answered " + what + " with unexpected JSON: " + deep.message());
  }
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = true;  // a newer collector may add fields
  auto st = google::protobuf::util::JsonStringToMessage(json, answer, parse);
  if (!st.ok()) {
    return Status(ErrorCode::kProtocol, "collector answered " + what +
                                            " with unexpected JSON: " + std::string(st.message()));
  }
  return Status::ok();
}

Status AdminApiClient::call(const std::string& method, const std::string& path_and_query,
                            const google::protobuf::Message* body,
                            google::protobuf::Message* answer) {
  XIAOAN_ASSIGN_OR_RETURN(HttpResponse response, callRaw(method, path_and_query, body));
  return parseAnswer(method + " " + path_and_query, response.body, answer);
}

Result<v1::SchoolList> AdminApiClient::listSchools() {
  v1::SchoolList out;
  XIAOAN_RETURN_IF_ERROR(call("GET", "/api/v1/schools", nullptr, &out));
  return out;
}

Result<v1::School> AdminApiClient::addSchool(const v1::School& school) {
  v1::School out;
  XIAOAN_RETURN_IF_ERROR(call("POST", "/api/v1/schools", &school, &out));
  return out;
}

Result<v1::EnrollmentToken> AdminApiClient::createToken(const v1::CreateTokenRequest& request) {
  v1::EnrollmentToken out;
  XIAOAN_RETURN_IF_ERROR(call("POST", "/api/v1/tokens", &request, &out));
  return out;
}

Result<v1::TokenList> AdminApiClient::listTokens(const std::string& school) {
  v1::TokenList out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/tokens" + query({{"school", school}}), nullptr, &out));
  return out;
}

Result<v1::EnrollmentToken> AdminApiClient::revokeToken(const std::string& token_id) {
  v1::EnrollmentToken out;
  const v1::EnrollmentToken empty;  // the contract has no body; send "{}"
  XIAOAN_RETURN_IF_ERROR(
      call("POST", "/api/v1/tokens/" + urlEncode(token_id) + "/revoke", &empty, &out));
  return out;
}

Result<v1::SetReenrollPolicyRequest> AdminApiClient::setReenrollPolicy(const std::string& school,
                                                                       v1::ReenrollPolicy policy) {
  v1::SetReenrollPolicyRequest body;
  body.set_policy(policy);
  v1::SetReenrollPolicyRequest out;
  XIAOAN_RETURN_IF_ERROR(
      call("POST", "/api/v1/schools/" + urlEncode(school) + "/reenroll-policy", &body, &out));
  return out;
}

Result<v1::PendingEnrollmentList> AdminApiClient::listPendingEnrollments(
    const std::string& school) {
  v1::PendingEnrollmentList out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/enrollments/pending" + query({{"school", school}}), nullptr, &out));
  return out;
}

Result<v1::PendingEnrollment> AdminApiClient::approvePendingEnrollment(const std::string& id) {
  v1::PendingEnrollment out;
  const v1::PendingEnrollment empty;  // the contract has no body; send "{}"
  XIAOAN_RETURN_IF_ERROR(
      call("POST", "/api/v1/enrollments/pending/" + urlEncode(id) + "/approve", &empty, &out));
  return out;
}

Result<v1::TerminalList> AdminApiClient::listTerminals(const std::string& school) {
  v1::TerminalList out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/terminals" + query({{"school", school}}), nullptr, &out));
  return out;
}

Result<v1::EventList> AdminApiClient::listEvents(const EventQuery& q) {
  v1::EventList out;
  const std::string limit = q.limit > 0 ? std::to_string(q.limit) : "";
  XIAOAN_RETURN_IF_ERROR(call(
      "GET",
      "/api/v1/events" +
          query({{"type", q.type}, {"terminal", q.terminal}, {"since", q.since}, {"limit", limit}}),
      nullptr, &out));
  return out;
}

namespace {

std::string layerPath(const std::string& scope, const std::string& id) {
  return "/api/v1/policies/" + urlEncode(scope) + "/" + urlEncode(id);
}

}  // namespace

Result<v1::PolicyLayer> AdminApiClient::getPolicyLayer(const std::string& scope,
                                                       const std::string& id) {
  v1::PolicyLayer out;
  XIAOAN_RETURN_IF_ERROR(call("GET", layerPath(scope, id), nullptr, &out));
  return out;
}

Result<v1::PolicyLayer> AdminApiClient::putPolicyLayer(const std::string& scope,
                                                       const std::string& id,
                                                       const v1::PolicyLayer& layer) {
  v1::PolicyLayer out;
  XIAOAN_RETURN_IF_ERROR(call("PUT", layerPath(scope, id), &layer, &out));
  return out;
}

Result<v1::PolicyLayer> AdminApiClient::deletePolicyLayer(const std::string& scope,
                                                          const std::string& id) {
  v1::PolicyLayer out;
  XIAOAN_RETURN_IF_ERROR(call("DELETE", layerPath(scope, id), nullptr, &out));
  return out;
}

Result<v1::EffectivePolicy> AdminApiClient::effectivePolicy(const std::string& terminal_id) {
  v1::EffectivePolicy out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/terminals/" + urlEncode(terminal_id) + "/policy", nullptr, &out));
  return out;
}

Result<v1::Terminal> AdminApiClient::setTerminalRoom(const std::string& terminal_id,
                                                     const std::string& room) {
  v1::Terminal body;
  body.set_room(room);
  v1::Terminal out;
  XIAOAN_RETURN_IF_ERROR(
      call("PUT", "/api/v1/terminals/" + urlEncode(terminal_id) + "/room", &body, &out));
  return out;
}

Result<std::string> AdminApiClient::exportBundle(const std::string& terminal_id) {
  XIAOAN_ASSIGN_OR_RETURN(
      HttpResponse response,
      callRaw("GET", "/api/v1/bundles" + query({{"terminal", terminal_id}}), nullptr));
  return std::move(response.body);
}

Result<v1::SignatureBundleInfo> AdminApiClient::publishSignatures(
    const v1::PublishSignaturesRequest& request) {
  v1::SignatureBundleInfo out;
  XIAOAN_RETURN_IF_ERROR(call("POST", "/api/v1/signatures", &request, &out));
  return out;
}

Result<v1::SignatureBundleList> AdminApiClient::listSignatures() {
  v1::SignatureBundleList out;
  XIAOAN_RETURN_IF_ERROR(call("GET", "/api/v1/signatures", nullptr, &out));
  return out;
}

Result<v1::DetectionList> AdminApiClient::listDetections(const DetectionQuery& q) {
  v1::DetectionList out;
  const std::string limit = q.limit > 0 ? std::to_string(q.limit) : "";
  XIAOAN_RETURN_IF_ERROR(call(
      "GET",
      "/api/v1/detections" + query({{"school", q.school}, {"since", q.since}, {"limit", limit}}),
      nullptr, &out));
  return out;
}

namespace {

std::string recordQuery(const RecordFilter& f) {
  return query({{"school", f.school},
                {"room", f.room},
                {"terminal", f.terminal},
                {"user", f.user},
                {"domain", f.domain},
                {"q", f.keyword},
                {"category", f.category},
                {"since", f.since},
                {"until", f.until},
                {"limit", f.limit > 0 ? std::to_string(f.limit) : ""},
                {"cursor", f.cursor}});
}

}  // namespace

Result<v1::BrowsingVisitPage> AdminApiClient::searchVisits(const RecordFilter& filter) {
  v1::BrowsingVisitPage out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/browsing/visits" + recordQuery(filter), nullptr, &out));
  return out;
}

Result<v1::SeatSessionPage> AdminApiClient::listSessions(const RecordFilter& filter) {
  v1::SeatSessionPage out;
  XIAOAN_RETURN_IF_ERROR(call("GET", "/api/v1/sessions" + recordQuery(filter), nullptr, &out));
  return out;
}

Result<v1::SiteAlertPage> AdminApiClient::listAlerts(const RecordFilter& filter) {
  v1::SiteAlertPage out;
  XIAOAN_RETURN_IF_ERROR(call("GET", "/api/v1/alerts" + recordQuery(filter), nullptr, &out));
  return out;
}

Result<v1::RoomList> AdminApiClient::listRooms(const std::string& school) {
  v1::RoomList out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/schools/" + urlEncode(school) + "/rooms", nullptr, &out));
  return out;
}

Result<v1::RoomRequest> AdminApiClient::changeRoom(const std::string& method,
                                                   const std::string& school,
                                                   const std::string& room,
                                                   const std::string& new_name) {
  std::string path = "/api/v1/schools/" + urlEncode(school) + "/rooms";
  if (!room.empty()) path += "/" + urlEncode(room);
  v1::RoomRequest body;
  body.set_name(new_name);
  v1::RoomRequest out;
  XIAOAN_RETURN_IF_ERROR(call(method, path, method == "DELETE" ? nullptr : &body, &out));
  return out;
}

Result<v1::RegistryImportReport> AdminApiClient::importRegistry(const std::string& school,
                                                                const std::string& csv,
                                                                const RegistryImportOptions& o) {
  AdminHttpRequest request{"POST",
                           base_url_ + "/api/v1/schools/" + urlEncode(school) + "/registry" +
                               query({{"dry_run", o.dry_run ? "true" : ""},
                                      {"encoding", o.encoding},
                                      {"create_rooms", o.create_rooms ? "true" : ""}}),
                           csv,
                           {},
                           "text/csv; charset=utf-8"};
  field_errors_.clear();
  rule_errors_.clear();
  request.headers["Authorization"] = authorization_;
  request.headers["Accept"] = "application/json";
  request.headers["Accept-Language"] = lang_ == Lang::kEn ? "en" : "zh-CN";
  XIAOAN_ASSIGN_OR_RETURN(HttpResponse response, sendRequest(std::move(request)));
  v1::RegistryImportReport out;
  XIAOAN_RETURN_IF_ERROR(parseAnswer("registry import", response.body, &out));
  return out;
}

Result<v1::RegistryEntryList> AdminApiClient::listRegistry(const std::string& school,
                                                           const std::string& room) {
  v1::RegistryEntryList out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/schools/" + urlEncode(school) + "/registry" + query({{"room", room}}),
           nullptr, &out));
  return out;
}

Result<std::string> AdminApiClient::exportRegistry(const std::string& school,
                                                   const std::string& room) {
  XIAOAN_ASSIGN_OR_RETURN(
      HttpResponse response,
      callRaw("GET",
              "/api/v1/schools/" + urlEncode(school) + "/registry.csv" + query({{"room", room}}),
              nullptr));
  return std::move(response.body);
}

Result<v1::ComplianceReport> AdminApiClient::compliance(const std::string& school,
                                                        const std::string& room) {
  v1::ComplianceReport out;
  XIAOAN_RETURN_IF_ERROR(call(
      "GET", "/api/v1/compliance" + query({{"school", school}, {"room", room}}), nullptr, &out));
  return out;
}

Result<v1::TerminalRef> AdminApiClient::resolveTerminal(const std::string& ref) {
  v1::TerminalRef out;
  XIAOAN_RETURN_IF_ERROR(
      call("GET", "/api/v1/terminals/resolve" + query({{"ref", ref}}), nullptr, &out));
  return out;
}

}  // namespace xiaoan::admin
