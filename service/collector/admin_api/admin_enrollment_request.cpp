// Parsing of the admin API's re-enrollment requests (see admin_request.h): a school's
// ReenrollPolicy and the re-enrollments held for approval (issue 10).
#include <algorithm>

#include "common/proto_json.h"
#include "service/collector/admin_api/admin_request.h"

namespace xiaoan::collector {
namespace {

constexpr std::string_view kSchools = "/api/v1/schools/";
constexpr std::string_view kPolicySuffix = "/reenroll-policy";
constexpr std::string_view kPendingPath = "/api/v1/enrollments/pending";
constexpr std::string_view kApproveSuffix = "/approve";

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// The {id} of prefix{id}suffix, or nullopt when `path` is not of that shape.
std::optional<std::string_view> middle(std::string_view path, std::string_view prefix,
                                       std::string_view suffix) {
  if (path.size() <= prefix.size() + suffix.size() || path.substr(0, prefix.size()) != prefix ||
      path.substr(path.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  return path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
}

bool isHexId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

Result<AdminCommand> parsePolicy(std::string_view school, std::string_view body) {
  if (!isValidSchoolId(school)) return Status(ErrorCode::kNotFound, "no such school");
  v1::SetReenrollPolicyRequest request;
  XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &request));
  if (request.policy() != v1::REENROLL_POLICY_AUTO &&
      request.policy() != v1::REENROLL_POLICY_APPROVE) {
    return invalid("policy must be REENROLL_POLICY_AUTO or REENROLL_POLICY_APPROVE");
  }
  return AdminCommand(SetReenrollPolicy{std::string(school), request.policy()});
}

}  // namespace

std::optional<Result<AdminCommand>> routeEnrollmentRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body) {
  if (auto school = middle(path, kSchools, kPolicySuffix)) {
    Status st = requireMethod(method, "POST");
    if (!st.isOk()) return Result<AdminCommand>(st);
    return parsePolicy(*school, body);
  }
  if (path == kPendingPath) {
    Status st = requireMethod(method, "GET");
    if (!st.isOk()) return Result<AdminCommand>(st);
    auto school = schoolFilter(params);
    if (!school.isOk()) return Result<AdminCommand>(school.status());
    return Result<AdminCommand>(AdminCommand(ListPendingEnrollments{std::move(*school)}));
  }
  if (auto id = middle(path, std::string(kPendingPath) + "/", kApproveSuffix)) {
    if (!isHexId(*id)) return Result<AdminCommand>(Status(ErrorCode::kNotFound, "no such id"));
    Status st = requireMethod(method, "POST");
    if (!st.isOk()) return Result<AdminCommand>(st);
    return Result<AdminCommand>(AdminCommand(ApprovePendingEnrollment{std::string(*id)}));
  }
  return std::nullopt;
}

}  // namespace xiaoan::collector
