#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "platform/result.h"
#include "service/collector/store.h"
#include "xiaoan/v1/admin_api.pb.h"

// Parsing of admin API requests (method, target, JSON body) into typed commands: the one
// function the admin handler calls on untrusted input, also exercised by a fuzz target.
namespace xiaoan::collector {

inline constexpr size_t kMaxAdminBodyBytes = size_t{64} * 1024;
inline constexpr uint32_t kDefaultEventLimit = 1000;
inline constexpr uint32_t kMaxEventLimit = 10000;

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

using AdminCommand = std::variant<ListSchools, AddSchool, CreateToken, ListTokens, RevokeToken,
                                  ListTerminals, ListEvents>;

// E_NOT_FOUND: no such path; E_UNSUPPORTED: wrong method for the path;
// E_INVALID_ARGUMENT: bad query parameter or body.
Result<AdminCommand> parseAdminRequest(std::string_view method, std::string_view target,
                                       std::string_view body);

// Splits "a=1&b=x%20y" into decoded pairs; E_INVALID_ARGUMENT on bad escapes.
Result<std::map<std::string, std::string>> parseQuery(std::string_view query);

// School ids: 1..32 of [a-z0-9-].
bool isValidSchoolId(std::string_view id);

}  // namespace xiaoan::collector
