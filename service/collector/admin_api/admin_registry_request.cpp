// Parsing of the admin API's rooms, seat registry, compliance and terminal-reference requests
// (issue 11; see admin_request.h).
#include "common/proto_json.h"
#include "service/collector/admin_api/admin_request.h"
#include "service/collector/admin_api/display_name.h"

namespace xiaoan::collector {
namespace {

constexpr std::string_view kSchools = "/api/v1/schools/";
constexpr size_t kMaxTerminalRefBytes = 256;

using Params = std::map<std::string, std::string>;

Status invalid(const std::string& what) { return Status(ErrorCode::kInvalidArgument, what); }

// "/api/v1/schools/{id}/{rest}" -> (id, rest); nullopt for other paths.
std::optional<std::pair<std::string_view, std::string_view>> schoolPath(std::string_view path) {
  if (path.substr(0, kSchools.size()) != kSchools) return std::nullopt;
  std::string_view tail = path.substr(kSchools.size());
  size_t slash = tail.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return std::make_pair(tail.substr(0, slash), tail.substr(slash + 1));
}

// Only `allowed` query parameters; E_INVALID_ARGUMENT names the first other one.
Status onlyParams(const Params& params, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : params) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return invalid("unknown query parameter '" + key + "'");
    }
  }
  return Status::ok();
}

Result<bool> flag(const Params& params, const std::string& key) {
  auto it = params.find(key);
  if (it == params.end() || it->second == "false" || it->second == "0") return false;
  if (it->second == "true" || it->second == "1" || it->second.empty()) return true;
  return invalid(key + " must be true or false");
}

Result<std::string> roomParam(const Params& params, Lang lang) {
  auto it = params.find("room");
  if (it == params.end() || it->second.empty()) return std::string();
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(it->second, kRoomNameRule, lang));
  return it->second;
}

Result<AdminCommand> parseImport(std::string school, const Params& params, std::string_view body) {
  XIAOAN_RETURN_IF_ERROR(onlyParams(params, {"dry_run", "encoding", "create_rooms"}));
  ImportRegistry cmd{std::move(school), std::string(body)};
  XIAOAN_ASSIGN_OR_RETURN(cmd.dry_run, flag(params, "dry_run"));
  XIAOAN_ASSIGN_OR_RETURN(cmd.create_rooms, flag(params, "create_rooms"));
  if (auto it = params.find("encoding"); it != params.end()) {
    if (it->second == "utf8" || it->second == "utf-8") {
      cmd.encoding = CsvEncoding::kUtf8;
    } else if (it->second == "gbk" || it->second == "gb18030") {
      cmd.encoding = CsvEncoding::kGbk;
    } else if (it->second != "auto") {
      return invalid("encoding must be auto, utf8 or gbk");
    }
  }
  return AdminCommand(std::move(cmd));
}

Result<AdminCommand> routeRoom(std::string_view method, std::string school, std::string_view rest,
                               std::string_view body, Lang lang) {
  XIAOAN_ASSIGN_OR_RETURN(std::string name, decodePathSegment(rest));
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(name, kRoomNameRule, lang));
  if (method == "DELETE") return AdminCommand(DeleteRoom{std::move(school), std::move(name)});
  XIAOAN_RETURN_IF_ERROR(requireMethod(method, "PUT"));
  v1::RoomRequest request;
  XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &request));
  XIAOAN_RETURN_IF_ERROR(checkDisplayName(request.name(), kRoomNameRule, lang));
  return AdminCommand(RenameRoom{std::move(school), std::move(name), request.name()});
}

Result<AdminCommand> routeSchool(std::string_view method, std::string school, std::string_view rest,
                                 const Params& params, std::string_view body, Lang lang) {
  if (rest == "rooms") {
    if (method == "GET") {
      XIAOAN_RETURN_IF_ERROR(onlyParams(params, {}));
      return AdminCommand(ListRooms{std::move(school)});
    }
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "POST"));
    v1::RoomRequest request;
    XIAOAN_RETURN_IF_ERROR(parseStrictJson(body, &request));
    XIAOAN_RETURN_IF_ERROR(checkDisplayName(request.name(), kRoomNameRule, lang));
    return AdminCommand(AddRoom{std::move(school), request.name()});
  }
  if (rest.substr(0, 6) == "rooms/")
    return routeRoom(method, std::move(school), rest.substr(6), body, lang);
  if (rest == "registry" && method == "POST") return parseImport(std::move(school), params, body);
  if (rest == "registry" || rest == "registry.csv") {
    XIAOAN_RETURN_IF_ERROR(requireMethod(method, "GET"));
    XIAOAN_RETURN_IF_ERROR(onlyParams(params, {"room"}));
    XIAOAN_ASSIGN_OR_RETURN(std::string room, roomParam(params, lang));
    return AdminCommand(ListRegistry{std::move(school), std::move(room), rest == "registry.csv"});
  }
  return Status(ErrorCode::kNotFound, "no such path");
}

}  // namespace

bool isRegistryUpload(std::string_view method, std::string_view target) {
  if (method != "POST") return false;
  auto school = schoolPath(target.substr(0, target.find('?')));
  return school && school->second == "registry";
}

std::optional<Result<AdminCommand>> routeRegistryRequest(std::string_view method,
                                                         std::string_view path,
                                                         const Params& params,
                                                         std::string_view body, Lang lang) {
  if (auto school = schoolPath(path)) {
    auto [id, rest] = *school;
    if (rest != "rooms" && rest.substr(0, 6) != "rooms/" && rest != "registry" &&
        rest != "registry.csv") {
      return std::nullopt;
    }
    if (!isValidSchoolId(id))
      return Result<AdminCommand>(Status(ErrorCode::kNotFound, "no such school"));
    return routeSchool(method, std::string(id), rest, params, body, lang);
  }
  if (path == "/api/v1/compliance") {
    Status st = requireMethod(method, "GET");
    if (st.isOk()) st = onlyParams(params, {"school", "room"});
    if (!st.isOk()) return Result<AdminCommand>(st);
    auto room = roomParam(params, lang);
    if (!room.isOk()) return Result<AdminCommand>(room.status());
    auto it = params.find("school");
    std::string school = it == params.end() ? "" : it->second;
    if (!school.empty() && !isValidSchoolId(school)) {
      return Result<AdminCommand>(invalid("school must be a school id"));
    }
    return Result<AdminCommand>(AdminCommand(GetCompliance{school, std::move(*room)}));
  }
  if (path == "/api/v1/terminals/resolve") {
    Status st = requireMethod(method, "GET");
    if (st.isOk()) st = onlyParams(params, {"ref"});
    if (!st.isOk()) return Result<AdminCommand>(st);
    auto it = params.find("ref");
    if (it == params.end() || it->second.empty() || it->second.size() > kMaxTerminalRefBytes) {
      return Result<AdminCommand>(invalid("ref must be 1..256 bytes"));
    }
    return Result<AdminCommand>(AdminCommand(ResolveTerminal{it->second}));
  }
  return std::nullopt;
}

}  // namespace xiaoan::collector
