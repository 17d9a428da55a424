#pragma once

#include <optional>
#include <string>

#include "service/admin_cli/admin_context.h"

namespace xiaoan::admin {

// The terminal id a command-line terminal reference names: a terminal id (1..64 lower-case hex
// digits, taken as is — so a hostname made only of such digits must be given by its id), or
// "school/room/seat", "school/owner" or a hostname (asked from the collector). None or several:
// prints why (the ids when ambiguous), sets `exit_code` (5 = not found / API failure, 2 =
// ambiguous) and returns nullopt.
std::optional<std::string> resolveTerminalArg(const AdminContext& ctx, const std::string& ref,
                                              int& exit_code);

}  // namespace xiaoan::admin
