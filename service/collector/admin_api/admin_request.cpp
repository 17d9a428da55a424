#include "service/collector/admin_api/admin_request.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <charconv>

#include "common/proto_json.h"
#include "service/collector/admin_api/display_name.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

constexpr uint64_t kMaxTokenTtlSeconds = 10ull * 366 * 24 * 3600;
// A county has at most some 50 000 PCs; a token for more is a mistake or an attack.
constexpr uint32_t kMaxTokenUses = 100'000;

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percentDecode(std::string_view s, bool plus_is_space = true) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (s[i] == '%') {
      int hi = i + 2 < s.size() ? hexDigit(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hexDigit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return invalid("bad percent escape in query");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

Result<ListEvents> parseEventQuery(const std::map<std::string, std::string>& params) {
  ListEvents out;
  out.query.limit = kDefaultEventLimit;
  for (const auto& [key, value] : params) {
    if (key == "type") {
      out.query.type = value;
    } else if (key == "terminal") {
      out.query.terminal_id = value;
    } else if (key == "since") {
      XIAOAN_ASSIGN_OR_RETURN(out.query.since_ms, parseSinceMs(value));
    } else if (key == "limit") {
      XIAOAN_ASSIGN_OR_RETURN(out.query.limit, parseLimit(value, kMaxEventLimit));
    } else {
      return invalid("unknown query parameter '" + key + "'");
    }
  }
  return out;
}

Result<AdminCommand> parseSchool(std::string_view body, Lang lang) {
  AddSchool cmd;
  XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &cmd.school));
  const auto& s = cmd.school;
  if (!isValidSchoolId(s.id())) return invalid("school id must be 1..32 of a-z, 0-9, '-'");
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(s.name(), kSchoolNameRule, lang));
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(s.abbr(), kSchoolAbbrRule, lang));
  return AdminCommand(std::move(cmd));
}

Result<AdminCommand> parseCreateToken(std::string_view body, Lang lang) {
  CreateToken cmd;
  XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &cmd.request));
  const auto& r = cmd.request;
  if (!isValidSchoolId(r.school_id())) return invalid("school_id must name a school");
  if (r.ttl_seconds() > kMaxTokenTtlSeconds) return invalid("ttl_seconds longer than 10 years");
  // A token is a school-wide secret: bounded by default, reusable only when asked (issue 10).
  if (r.max_uses() == 0) cmd.request.set_max_uses(kDefaultTokenMaxUses);
  if (r.max_uses() > kMaxTokenUses) {
    return invalid("max_uses above " + std::to_string(kMaxTokenUses));
  }
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(r.note(), kTokenNoteRule, lang));
  return AdminCommand(std::move(cmd));
}

bool isTokenId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

Result<AdminCommand> route(std::string_view method, std::string_view path,
                           const std::map<std::string, std::string>& params, std::string_view body,
                           std::vector<policy::FieldIssue>* field_errors, Lang lang) {
  constexpr std::string_view kTokens = "/api/v1/tokens/";
  constexpr std::string_view kRevoke = "/revoke";
  if (path == "/api/v1/schools") {
    if (method == "GET") return AdminCommand(ListSchools{});
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "POST"));
    return parseSchool(body, lang);
  }
  if (path == "/api/v1/tokens") {
    if (method == "POST") return parseCreateToken(body, lang);
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
    XIAOAN_ASSIGN_OR_RETURN(std::string school, schoolFilter(params));
    return AdminCommand(ListTokens{school});
  }
  if (path.size() > kTokens.size() + kRevoke.size() && path.substr(0, kTokens.size()) == kTokens &&
      path.substr(path.size() - kRevoke.size()) == kRevoke) {
    auto id = path.substr(kTokens.size(), path.size() - kTokens.size() - kRevoke.size());
    if (!isTokenId(id)) return Status(ErrorCode::kNotFound, "no such token");
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "POST"));
    return AdminCommand(RevokeToken{std::string(id)});
  }
  if (path == "/api/v1/terminals") {
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
    XIAOAN_ASSIGN_OR_RETURN(std::string school, schoolFilter(params));
    return AdminCommand(ListTerminals{school});
  }
  if (path == "/api/v1/events") {
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
    XIAOAN_ASSIGN_OR_RETURN(ListEvents cmd, parseEventQuery(params));
    return AdminCommand(std::move(cmd));
  }
  if (auto registry = routeRegistryRequest(method, path, params, body, lang)) {
    return std::move(*registry);
  }
  if (auto content = routeContentRequest(method, path, params, body, field_errors, lang)) {
    return std::move(*content);
  }
  if (auto scan = routeScanRequest(method, path, params, body)) return std::move(*scan);
  if (auto records = routeRecordsRequest(method, path, params)) return std::move(*records);
  if (auto enrollment = routeEnrollmentRequest(method, path, params, body)) {
    return std::move(*enrollment);
  }
  return Status(ErrorCode::kNotFound, "no such path");
}

}  // namespace

// Only "school" is accepted (lists of schools' tokens and terminals).
Result<std::string> schoolFilter(const std::map<std::string, std::string>& params) {
  for (const auto& [key, value] : params) {
    if (key != "school") return invalid("unknown query parameter '" + key + "'");
    if (!isValidSchoolId(value)) return invalid("invalid school id");
  }
  auto it = params.find("school");
  return it == params.end() ? std::string() : it->second;
}

Result<uint32_t> parseLimit(const std::string& text, uint32_t max) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1 || v > max) {
    return invalid("limit must be 1.." + std::to_string(max));
  }
  return v;
}

Result<int64_t> parseSinceMs(const std::string& text) {
  google::protobuf::Timestamp ts;
  if (!TimeUtil::FromString(text, &ts)) return invalid("since must be an RFC 3339 time");
  return TimeUtil::TimestampToMilliseconds(ts);
}

size_t adminBodyLimit(std::string_view method, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (isRegistryUpload(method, target)) return kMaxRegistryCsvBytes;
  return method == "POST" && path == kSignaturesPath ? kMaxPublishBodyBytes : kMaxAdminBodyBytes;
}

bool isValidSchoolId(std::string_view id) {
  return !id.empty() && id.size() <= 32 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<std::map<std::string, std::string>> parseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    XIAOAN_ASSIGN_OR_RETURN(std::string key, percentDecode(pair.substr(0, eq)));
    XIAOAN_ASSIGN_OR_RETURN(
        std::string value,
        percentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    out[std::move(key)] = std::move(value);
  }
  return out;
}

Status requireMethod(std::string_view method, std::string_view want) {
  if (method == want) return Status::ok();
  return Status(ErrorCode::kUnsupported, "method not allowed");
}

Result<std::string> decodePathSegment(std::string_view segment) {
  return percentDecode(segment, false);
}

Result<AdminCommand> parseAdminRequest(std::string_view method, std::string_view target,
                                       std::string_view body,
                                       std::vector<policy::FieldIssue>* field_errors, Lang lang) {
  if (body.size() > adminBodyLimit(method, target)) {
    return Status(ErrorCode::kTooLarge, "body too large");
  }
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  XIAOAN_ASSIGN_OR_RETURN(
      auto params,
      parseQuery(q == std::string_view::npos ? std::string_view() : target.substr(q + 1)));
  return route(method, path, params, body, field_errors, lang);
}

}  // namespace xiaoan::collector
