// Parsing of the admin API's record searches: browsing visits, seat sessions, alerts (see
// admin_request.h).
#include <array>

#include "service/collector/admin_api/admin_request.h"
#include "service/collector/admin_api/record_cursor.h"
#include "service/collector/trust/policy_layers.h"

namespace xiaoan::collector {
namespace {

constexpr std::string_view kVisitsPath = "/api/v1/browsing/visits";
constexpr std::string_view kSessionsPath = "/api/v1/sessions";
constexpr std::string_view kAlertsPath = "/api/v1/alerts";
constexpr size_t kMaxDomainBytes = 253;

// v1::SiteCategory by its lower-case name.
constexpr std::array<std::string_view, 7> kCategories = {
    "gambling", "pornography", "games", "violence", "cults", "anonymizers", "other"};

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// Which filters a route accepts besides school, room, terminal, user, since, until, limit and
// cursor.
struct RouteSpec {
  char kind;  // cursor kind
  bool url_filters;
  bool category;
};

Status setText(const std::string& key, const std::string& value, std::string& out) {
  if (value.empty() || value.size() > kMaxRecordFilterBytes) {
    return invalid(key + " must be 1.." + std::to_string(kMaxRecordFilterBytes) + " bytes");
  }
  out = value;
  return Status::ok();
}

// A domain as visits store it: lower case, letters, digits, '-', '_' and dots, no empty label.
Result<std::string> parseDomain(const std::string& value) {
  std::string out;
  std::string_view text = value;
  while (!text.empty() && text.back() == '.') text.remove_suffix(1);
  if (text.empty() || text.size() > kMaxDomainBytes || text.front() == '.' ||
      text.find("..") != std::string_view::npos) {
    return invalid("domain must be a host name like example.com");
  }
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return invalid("domain must be a host name like example.com");
    out += c;
  }
  return out;
}

Result<int> parseCategory(const std::string& value) {
  for (size_t i = 0; i < kCategories.size(); ++i) {
    if (value == kCategories[i]) return static_cast<int>(i + 1);
  }
  return invalid(
      "category must be one of gambling, pornography, games, violence, cults, "
      "anonymizers, other");
}

Status setParam(const RouteSpec& spec, const std::string& key, const std::string& value,
                RecordQuery& q) {
  if (key == "school") {
    if (!isValidSchoolId(value)) return invalid("invalid school id");
    q.school_id = value;
  } else if (key == "room") {
    return setText(key, value, q.room);
  } else if (key == "terminal") {
    if (!isValidTerminalId(value)) return invalid("invalid terminal id");
    q.terminal_id = value;
  } else if (key == "user") {
    return setText(key, value, q.user);
  } else if (key == "since" || key == "until") {
    XIAOAN_ASSIGN_OR_RETURN(int64_t ms, parseSinceMs(value));
    (key == "since" ? q.since_ms : q.until_ms) = ms;
  } else if (key == "limit") {
    XIAOAN_ASSIGN_OR_RETURN(q.limit, parseLimit(value, kMaxRecordLimit));
  } else if (key == "cursor") {
    XIAOAN_ASSIGN_OR_RETURN(q.after, decodeRecordCursor(spec.kind, value));
  } else if (spec.url_filters && key == "domain") {
    XIAOAN_ASSIGN_OR_RETURN(q.domain, parseDomain(value));
  } else if (spec.url_filters && key == "q") {
    return setText("q", value, q.keyword);
  } else if (spec.category && key == "category") {
    XIAOAN_ASSIGN_OR_RETURN(q.category, parseCategory(value));
  } else {
    return invalid("unknown query parameter '" + key + "'");
  }
  return Status::ok();
}

Result<RecordQuery> parseRecordQuery(const RouteSpec& spec,
                                     const std::map<std::string, std::string>& params) {
  RecordQuery q;
  q.limit = kDefaultRecordLimit;
  for (const auto& [key, value] : params) XIAOAN_RETURN_IF_ERROR(setParam(spec, key, value, q));
  if (!q.room.empty() && q.school_id.empty()) return invalid("room needs school");
  if (q.since_ms && q.until_ms && *q.since_ms >= *q.until_ms) {
    return invalid("since must be before until");
  }
  return q;
}

template <typename Command>
Result<AdminCommand> parseRoute(std::string_view method, const RouteSpec& spec,
                                const std::map<std::string, std::string>& params) {
  XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
  XIAOAN_ASSIGN_OR_RETURN(RecordQuery q, parseRecordQuery(spec, params));
  return AdminCommand(Command{std::move(q)});
}

}  // namespace

std::optional<Result<AdminCommand>> routeRecordsRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params) {
  if (path == kVisitsPath) return parseRoute<SearchVisits>(method, {'v', true, false}, params);
  if (path == kSessionsPath) return parseRoute<ListSessions>(method, {'s', false, false}, params);
  if (path == kAlertsPath) return parseRoute<ListAlerts>(method, {'a', true, true}, params);
  return std::nullopt;
}

}  // namespace xiaoan::collector
