#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/policy/policy_rules.h"
#include "platform/result.h"
#include "service/collector/registry/registry_csv.h"
#include "service/collector/store/store.h"
#include "signatures/bundle.h"
#include "xiaoan/v1/admin_api.pb.h"

// Parsing of admin API requests (method, target, JSON body) into typed commands: the one
// function the admin handler calls on untrusted input, also exercised by a fuzz target.
namespace xiaoan::collector {

inline constexpr size_t kMaxAdminBodyBytes = size_t{64} * 1024;
// Uses of an enrollment token created without max_uses: one PC.
inline constexpr uint32_t kDefaultTokenMaxUses = 1;
inline constexpr uint32_t kDefaultEventLimit = 1000;
inline constexpr uint32_t kMaxEventLimit = 10000;
inline constexpr uint32_t kDefaultDetectionLimit = 100;
inline constexpr uint32_t kMaxDetectionLimit = 1000;
inline constexpr size_t kMaxBundleDescriptionBytes = 1024;
inline constexpr std::string_view kSignaturesPath = "/api/v1/signatures";
// POST /api/v1/signatures carries a whole bundle (at most sig::kMaxBundleBytes serialized) as
// JSON with base64 contents: 4/3 of it plus room for names and JSON syntax. Only this route
// gets more than kMaxAdminBodyBytes.
inline constexpr size_t kMaxPublishBodyBytes = sig::kMaxBundleBytes / 3 * 4 + (size_t{4} << 20);

struct ListSchools {};
struct AddSchool {
  v1::School school;
};
struct CreateToken {
  v1::CreateTokenRequest request;
};
struct ListTokens {
  std::string school_id;
};
struct RevokeToken {
  std::string token_id;
};
struct ListTerminals {
  std::string school_id;
};
struct ListEvents {
  EventQuery query;
};

// GET/PUT/DELETE /api/v1/policies/{school|room|terminal}/{id}; a room id is "school_id/room".
struct GetPolicyLayer {
  v1::PolicyScope scope = v1::POLICY_SCOPE_UNSPECIFIED;
  std::string id;
};
struct PutPolicyLayer {
  v1::PolicyScope scope = v1::POLICY_SCOPE_UNSPECIFIED;
  std::string id;
  v1::Policy policy;  // validated for its scope (policy::validateLayer)
};
struct DeletePolicyLayer {
  v1::PolicyScope scope = v1::POLICY_SCOPE_UNSPECIFIED;
  std::string id;
};
// GET /api/v1/terminals/{id}/policy
struct GetEffectivePolicy {
  std::string terminal_id;
};
// PUT /api/v1/terminals/{id}/room with {"room": "..."} ("" = none)
struct SetTerminalRoom {
  std::string terminal_id;
  std::string room;
};
// GET /api/v1/bundles?terminal=T
struct ExportBundle {
  std::string terminal_id;
};
// POST /api/v1/signatures (only the JSON is checked here; the bundle is checked and compiled
// when it is published).
struct PublishSignatures {
  v1::PublishSignaturesRequest request;
};
// GET /api/v1/signatures
struct ListSignatures {};
// GET /api/v1/detections?school=&since=&limit=
struct ListDetections {
  DetectionQuery query;
};

// POST /api/v1/schools/{id}/reenroll-policy with a SetReenrollPolicyRequest
struct SetReenrollPolicy {
  std::string school_id;
  v1::ReenrollPolicy policy = v1::REENROLL_POLICY_UNSPECIFIED;
};
// GET /api/v1/enrollments/pending?school=S
struct ListPendingEnrollments {
  std::string school_id;
};
// POST /api/v1/enrollments/pending/{id}/approve
struct ApprovePendingEnrollment {
  std::string id;
};

// Rooms (issue 11). GET/POST /api/v1/schools/{id}/rooms, PUT/DELETE .../rooms/{name}.
struct ListRooms {
  std::string school_id;
};
struct AddRoom {
  std::string school_id;
  std::string name;
};
struct RenameRoom {
  std::string school_id;
  std::string from;
  std::string to;
};
struct DeleteRoom {
  std::string school_id;
  std::string name;
};
// POST /api/v1/schools/{id}/registry (body: CSV, Content-Type text/csv).
struct ImportRegistry {
  std::string school_id;
  std::string csv;
  CsvEncoding encoding = CsvEncoding::kAuto;
  bool dry_run = false;
  bool create_rooms = false;
};
// GET /api/v1/schools/{id}/registry?room=R (JSON) or /registry.csv (the export).
struct ListRegistry {
  std::string school_id;
  std::string room;
  bool csv = false;
};
// GET /api/v1/compliance?school=S&room=R
struct GetCompliance {
  std::string school_id;
  std::string room;
};
// GET /api/v1/terminals/resolve?ref=R
struct ResolveTerminal {
  std::string ref;
};

// GET /api/v1/browsing/visits, /api/v1/sessions, /api/v1/alerts (issue 12): record searches,
// newest first, paged by an opaque cursor (record_cursor.h).
struct SearchVisits {
  RecordQuery query;
};
struct ListSessions {
  RecordQuery query;
};
struct ListAlerts {
  RecordQuery query;
};
inline constexpr uint32_t kDefaultRecordLimit = 100;
inline constexpr uint32_t kMaxRecordLimit = 1000;
inline constexpr size_t kMaxRecordFilterBytes = 256;  // room, user, keyword

using AdminCommand =
    std::variant<ListSchools, AddSchool, CreateToken, ListTokens, RevokeToken, ListTerminals,
                 ListEvents, GetPolicyLayer, PutPolicyLayer, DeletePolicyLayer, GetEffectivePolicy,
                 SetTerminalRoom, ExportBundle, PublishSignatures, ListSignatures, ListDetections,
                 SetReenrollPolicy, ListPendingEnrollments, ApprovePendingEnrollment, ListRooms,
                 AddRoom, RenameRoom, DeleteRoom, ImportRegistry, ListRegistry, GetCompliance,
                 ResolveTerminal, SearchVisits, ListSessions, ListAlerts>;

// Whether the request uploads a registry CSV (its body is text/csv, up to
// kMaxRegistryCsvBytes).
bool isRegistryUpload(std::string_view method, std::string_view target);

// The routes of rooms, the seat registry, compliance and terminal references
// (admin_registry_request.cpp); nullopt when `path` is none of them.
std::optional<Result<AdminCommand>> routeRegistryRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body, Lang lang);

// The body cap of an admin request: kMaxPublishBodyBytes for POST /api/v1/signatures,
// kMaxAdminBodyBytes for everything else.
size_t adminBodyLimit(std::string_view method, std::string_view target);

// E_NOT_FOUND: no such path; E_UNSUPPORTED: wrong method for the path;
// E_INVALID_ARGUMENT: bad query parameter or body; E_TOO_LARGE: body over the limit or JSON
// nested deeper than kMaxJsonDepth (refused before parsing). A policy body with invalid fields
// also fills `field_errors` (when given) with every issue, paths relative to the policy.
// Messages about display names (checkDisplayName) are in `lang`.
Result<AdminCommand> parseAdminRequest(std::string_view method, std::string_view target,
                                       std::string_view body,
                                       std::vector<policy::FieldIssue>* field_errors = nullptr,
                                       Lang lang = Lang::kZhCn);

// The routes of policies, rooms and bundles (admin_policy_request.cpp); nullopt when `path`
// is none of them.
std::optional<Result<AdminCommand>> routeContentRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body,
    std::vector<policy::FieldIssue>* field_errors, Lang lang);

// The routes of signature bundles and detections (admin_scan_request.cpp); nullopt when `path`
// is none of them.
std::optional<Result<AdminCommand>> routeScanRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body);

// The routes of re-enrollment policies and pending enrollments (admin_enrollment_request.cpp);
// nullopt when `path` is none of them.
std::optional<Result<AdminCommand>> routeEnrollmentRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body);

// The routes of browsing visits, seat sessions and alerts (admin_records_request.cpp); nullopt
// when `path` is none of them.
std::optional<Result<AdminCommand>> routeRecordsRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params);

// The "school" filter of a list ("" = all); E_INVALID_ARGUMENT for any other parameter.
Result<std::string> schoolFilter(const std::map<std::string, std::string>& params);

// "limit" of a list: 1..max; E_INVALID_ARGUMENT otherwise.
Result<uint32_t> parseLimit(const std::string& text, uint32_t max);
// "since": an RFC 3339 time as Unix milliseconds; E_INVALID_ARGUMENT otherwise.
Result<int64_t> parseSinceMs(const std::string& text);

// Splits "a=1&b=x%20y" into decoded pairs; E_INVALID_ARGUMENT on bad escapes.
Result<std::map<std::string, std::string>> parseQuery(std::string_view query);

// Decodes %XX escapes of a path segment ('+' stays '+'); E_INVALID_ARGUMENT on bad escapes.
Result<std::string> decodePathSegment(std::string_view segment);

// E_UNSUPPORTED unless `method` is `want`.
Status requireMethod(std::string_view method, std::string_view want);

// School ids: 1..32 of [a-z0-9-].
bool isValidSchoolId(std::string_view id);

}  // namespace xiaoan::collector
