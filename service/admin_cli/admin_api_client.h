#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "platform/result.h"
#include "service/admin_cli/admin_transport.h"
#include "xiaoan/v1/admin_api.pb.h"

namespace xiaoan::admin {

// Query of GET /api/v1/events; empty fields are left out.
struct EventQuery {
  std::string type;
  std::string terminal;
  std::string since;   // RFC 3339
  uint32_t limit = 0;  // 0 = server default
};

// Query of GET /api/v1/detections; empty fields are left out.
struct DetectionQuery {
  std::string school;
  std::string since;   // RFC 3339
  uint32_t limit = 0;  // 0 = server default
};

// Filters of the record searches (GET /api/v1/browsing/visits, /sessions, /alerts); empty
// fields are left out. `terminal` is a terminal id (resolved by the command).
struct RecordFilter {
  std::string school;
  std::string room;
  std::string terminal;
  std::string user;
  std::string domain;    // visits, alerts
  std::string keyword;   // visits, alerts: sent as q
  std::string category;  // alerts
  std::string since;     // RFC 3339
  std::string until;     // RFC 3339
  std::string cursor;
  uint32_t limit = 0;  // 0 = server default
};

// Options of a registry import (POST /api/v1/schools/{id}/registry).
struct RegistryImportOptions {
  bool dry_run = false;
  std::string encoding;  // "", "auto", "utf8" or "gbk"
  bool create_rooms = false;
};

// Typed calls of the collector's admin API (JSON, snake_case, HTTP Basic on every call).
// Errors: 401 -> E_UNAUTHORIZED, 403 -> E_FORBIDDEN, other HTTP errors -> the AdminError's
// code (E_HTTP_STATUS when the body has none) with "HTTP <status>: <message>"; an answer
// that is not the expected JSON -> E_PROTOCOL; transport failures pass through.
class AdminApiClient {
 public:
  // `lang` goes out as Accept-Language: the collector words some messages in it.
  AdminApiClient(AdminTransport& transport, std::string base_url, std::string user,
                 std::string password, Lang lang = Lang::kZhCn);

  Result<v1::SchoolList> listSchools();
  Result<v1::School> addSchool(const v1::School& school);
  Result<v1::EnrollmentToken> createToken(const v1::CreateTokenRequest& request);
  Result<v1::TokenList> listTokens(const std::string& school);
  Result<v1::EnrollmentToken> revokeToken(const std::string& token_id);
  Result<v1::TerminalList> listTerminals(const std::string& school);
  Result<v1::EventList> listEvents(const EventQuery& query);

  // Policy layers: `scope` is "school", "room" or "terminal"; a room id is "school_id/room".
  Result<v1::PolicyLayer> getPolicyLayer(const std::string& scope, const std::string& id);
  Result<v1::PolicyLayer> putPolicyLayer(const std::string& scope, const std::string& id,
                                         const v1::PolicyLayer& layer);
  Result<v1::PolicyLayer> deletePolicyLayer(const std::string& scope, const std::string& id);
  Result<v1::EffectivePolicy> effectivePolicy(const std::string& terminal_id);
  Result<v1::Terminal> setTerminalRoom(const std::string& terminal_id, const std::string& room);
  // The serialized OfflineBundle of one terminal.
  Result<std::string> exportBundle(const std::string& terminal_id);

  // Signature bundles and detections.
  Result<v1::SignatureBundleInfo> publishSignatures(const v1::PublishSignaturesRequest& request);
  Result<v1::SignatureBundleList> listSignatures();
  Result<v1::DetectionList> listDetections(const DetectionQuery& query);

  // Browsing visits, seat sessions and harmful-site alerts (issue 12), one page each call.
  Result<v1::BrowsingVisitPage> searchVisits(const RecordFilter& filter);
  Result<v1::SeatSessionPage> listSessions(const RecordFilter& filter);
  Result<v1::SiteAlertPage> listAlerts(const RecordFilter& filter);

  // Re-enrollment of known terminals (issue 10).
  Result<v1::SetReenrollPolicyRequest> setReenrollPolicy(const std::string& school,
                                                         v1::ReenrollPolicy policy);
  Result<v1::PendingEnrollmentList> listPendingEnrollments(const std::string& school);
  Result<v1::PendingEnrollment> approvePendingEnrollment(const std::string& id);

  // Rooms, the seat registry, compliance and terminal references (issue 11). changeRoom:
  // method "POST" adds `new_name` (room ""), "PUT" renames `room` to `new_name`, "DELETE"
  // deletes `room`.
  Result<v1::RoomList> listRooms(const std::string& school);
  Result<v1::RoomRequest> changeRoom(const std::string& method, const std::string& school,
                                     const std::string& room, const std::string& new_name);
  Result<v1::RegistryImportReport> importRegistry(const std::string& school, const std::string& csv,
                                                  const RegistryImportOptions& options);
  Result<v1::RegistryEntryList> listRegistry(const std::string& school, const std::string& room);
  // The CSV export (UTF-8 with BOM) as the collector wrote it.
  Result<std::string> exportRegistry(const std::string& school, const std::string& room);
  Result<v1::ComplianceReport> compliance(const std::string& school, const std::string& room);
  Result<v1::TerminalRef> resolveTerminal(const std::string& ref);

  // Field errors of the last failed call (a policy the collector refused), else empty.
  const std::vector<v1::FieldError>& lastFieldErrors() const { return field_errors_; }
  // Compiler errors of the last failed call (a signature bundle the collector refused).
  const std::vector<v1::RuleDiagnostic>& lastRuleErrors() const { return rule_errors_; }

 private:
  Status call(const std::string& method, const std::string& path_and_query,
              const google::protobuf::Message* body, google::protobuf::Message* answer);
  // The 2xx answer as is; HTTP errors become a Status as described above.
  Result<HttpResponse> callRaw(const std::string& method, const std::string& path_and_query,
                               const google::protobuf::Message* body);
  Result<HttpResponse> sendRequest(AdminHttpRequest request);
  static Status parseAnswer(const std::string& what, const std::string& json,
                            google::protobuf::Message* answer);

  AdminTransport& transport_;
  std::string base_url_;
  std::string authorization_;
  Lang lang_;
  std::vector<v1::FieldError> field_errors_;
  std::vector<v1::RuleDiagnostic> rule_errors_;
};

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string urlEncode(const std::string& text);

// "Basic base64(user:password)".
std::string basicAuthorization(const std::string& user, const std::string& password);

}  // namespace xiaoan::admin
