// Parsing of the admin API's policy, room and bundle requests (see admin_request.h).
#include "common/policy/policy_rules.h"
#include "service/collector/admin_api/admin_request.h"
#include "service/collector/admin_api/display_name.h"
#include "service/collector/trust/policy_layers.h"

namespace xiaoan::collector {
namespace {

constexpr std::string_view kPolicies = "/api/v1/policies/";
constexpr std::string_view kTerminals = "/api/v1/terminals/";

using Issues = std::vector<policy::FieldIssue>;

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

Status withIssues(Issues found, Issues* out) {
  std::string line = policy::summarizeIssues(found);
  if (out != nullptr) *out = std::move(found);
  return invalid("invalid policy: " + line);
}

// Issues of the layer JSON are named relative to the policy, as admins write it.
Issues relativeToPolicy(Issues issues) {
  constexpr std::string_view kPrefix = "policy.";
  for (auto& i : issues) {
    if (i.field.rfind(kPrefix, 0) == 0) i.field.erase(0, kPrefix.size());
  }
  return issues;
}

// The PUT body: a PolicyLayer whose scope and id, when given, must be the URL's; revision and
// updated_* are read-only and ignored.
Result<AdminCommand> parsePutLayer(v1::PolicyScope scope, std::string id, std::string_view body,
                                   Issues* field_errors) {
  v1::PolicyLayer layer;
  Issues found;
  if (Status st = policy::strictJsonToMessage(body, &layer, &found); !st.isOk()) {
    if (found.empty()) return st;  // refused before parsing: too large or too deep
    return withIssues(relativeToPolicy(std::move(found)), field_errors);
  }
  if ((layer.scope() != v1::POLICY_SCOPE_UNSPECIFIED && layer.scope() != scope) ||
      (!layer.id().empty() && layer.id() != id)) {
    return invalid("the body names another layer than the URL");
  }
  found = policy::validateLayer(scope, layer.policy());
  if (!found.empty()) return withIssues(std::move(found), field_errors);
  return AdminCommand(PutPolicyLayer{scope, std::move(id), std::move(*layer.mutable_policy())});
}

// /api/v1/policies/{scope}/{id}
Result<AdminCommand> routePolicy(std::string_view method, std::string_view rest,
                                 std::string_view body, Issues* field_errors) {
  size_t slash = rest.find('/');
  auto scope = scopeFromName(rest.substr(0, slash));
  if (!scope || slash == std::string_view::npos) {
    return Status(ErrorCode::kNotFound, "no such policy scope");
  }
  XIAOAN_ASSIGN_OR_RETURN(std::string id, decodePathSegment(rest.substr(slash + 1)));
  if (!isValidLayerId(*scope, id)) {
    return invalid("invalid " + scopeName(*scope) + " id (room ids are school_id/room)");
  }
  if (method == "GET") return AdminCommand(GetPolicyLayer{*scope, std::move(id)});
  if (method == "DELETE") return AdminCommand(DeletePolicyLayer{*scope, std::move(id)});
  XIAOAN_RETURN_IF_ERROR(requireMethod(method, "PUT"));
  return parsePutLayer(*scope, std::move(id), body, field_errors);
}

Result<AdminCommand> parseRoom(std::string terminal_id, std::string_view body, Lang lang) {
  v1::Terminal terminal;
  XIAOAN_RETURN_IF_ERROR(policy::strictJsonToMessage(body, &terminal, nullptr));
  if (!terminal.room().empty()) {
    XIAOAN_RETURN_IF_ERROR(checkDisplayName(terminal.room(), kRoomNameRule, lang));
  }
  return AdminCommand(SetTerminalRoom{std::move(terminal_id), terminal.room()});
}

// /api/v1/terminals/{id}/policy and /api/v1/terminals/{id}/room
std::optional<Result<AdminCommand>> routeTerminal(std::string_view method, std::string_view rest,
                                                  std::string_view body, Lang lang) {
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string id(rest.substr(0, slash));
  std::string_view what = rest.substr(slash + 1);
  if (what != "policy" && what != "room") return std::nullopt;
  if (!isValidTerminalId(id)) return Result<AdminCommand>(invalid("invalid terminal id"));
  if (what == "policy") {
    Status st = requireMethod(method, "GET");
    if (!st.isOk()) return Result<AdminCommand>(st);
    return Result<AdminCommand>(AdminCommand(GetEffectivePolicy{std::move(id)}));
  }
  Status st = requireMethod(method, "PUT");
  if (!st.isOk()) return Result<AdminCommand>(st);
  return parseRoom(std::move(id), body, lang);
}

Result<AdminCommand> parseBundle(std::string_view method,
                                 const std::map<std::string, std::string>& params) {
  XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
  for (const auto& [key, value] : params) {
    if (key != "terminal") return invalid("unknown query parameter '" + key + "'");
  }
  auto it = params.find("terminal");
  if (it == params.end() || !isValidTerminalId(it->second)) {
    return invalid("terminal=<terminal id> is required");
  }
  return AdminCommand(ExportBundle{it->second});
}

}  // namespace

std::optional<Result<AdminCommand>> routeContentRequest(
    std::string_view method, std::string_view path,
    const std::map<std::string, std::string>& params, std::string_view body, Issues* field_errors,
    Lang lang) {
  if (path.substr(0, kPolicies.size()) == kPolicies) {
    if (!params.empty()) return Result<AdminCommand>(invalid("no query parameters here"));
    return routePolicy(method, path.substr(kPolicies.size()), body, field_errors);
  }
  if (path.substr(0, kTerminals.size()) == kTerminals) {
    return routeTerminal(method, path.substr(kTerminals.size()), body, lang);
  }
  if (path == "/api/v1/bundles") return parseBundle(method, params);
  return std::nullopt;
}

}  // namespace xiaoan::collector
