// Parsing of the admin API's signature bundle and detection requests (see admin_request.h).
#include "common/proto_json.h"
#include "service/collector/admin_api/admin_request.h"

namespace xiaoan::collector {
namespace {

constexpr std::string_view kDetectionsPath = "/api/v1/detections";

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// The JSON only; the files are checked and compiled when the bundle is published.
Result<AdminCommand> parsePublish(std::string_view body) {
  PublishSignatures cmd;
  XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &cmd.request));
  if (cmd.request.description().size() > kMaxBundleDescriptionBytes) {
    return invalid("description longer than " + std::to_string(kMaxBundleDescriptionBytes) +
                   " bytes");
  }
  if (cmd.request.files().empty()) return invalid("a signature bundle needs at least one file");
  return AdminCommand(std::move(cmd));
}

Result<AdminCommand> parseDetectionQuery(const std::map<std::string, std::string>& params) {
  ListDetections out;
  out.query.limit = kDefaultDetectionLimit;
  for (const auto& [key, value] : params) {
    if (key == "school") {
      if (!isValidSchoolId(value)) return invalid("invalid school id");
      out.query.school_id = value;
    } else if (key == "since") {
      XIAOAN_ASSIGN_OR_RETURN(out.query.since_ms, parseSinceMs(value));
    } else if (key == "limit") {
      XIAOAN_ASSIGN_OR_RETURN(out.query.limit, parseLimit(value, kMaxDetectionLimit));
    } else {
      return invalid("unknown query parameter '" + key + "'");
    }
  }
  return AdminCommand(std::move(out));
}

}  // namespace

std::optional<Result<AdminCommand>> routeScanRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body) {
  if (path == kSignaturesPath) {
    if (!params.empty()) return Result<AdminCommand>(invalid("no query parameters here"));
    if (method == "POST") return parsePublish(body);
    Status st = requireMethod(method, "GET");
    if (!st.isOk()) return Result<AdminCommand>(st);
    return Result<AdminCommand>(AdminCommand(ListSignatures{}));
  }
  if (path == kDetectionsPath) {
    Status st = requireMethod(method, "GET");
    if (!st.isOk()) return Result<AdminCommand>(st);
    return parseDetectionQuery(params);
  }
  return std::nullopt;
}

}  // namespace xiaoan::collector
