#pragma once

#include <cstdint>
#include <string>

#include "common/cli/cli_args.h"
#include "service/admin_cli/admin_context.h"

// What the list commands (events, detections) share: --since TIME|24h and --limit N.
namespace xiaoan::admin {

// The --since and --limit options; `default_limit` and `max_limit` are the API's.
OptionSpec sinceOption();
// `what_en` names the listed things in the English help ("events").
OptionSpec limitOption(uint64_t default_limit, uint64_t max_limit, const std::string& what_en);

// Sets `since` (RFC 3339 UTC) and `limit` from the arguments that were given; prints a usage
// error and returns 2 when one is malformed, else 0.
int sinceAndLimit(const AdminContext& ctx, const ParsedArgs& args, uint64_t max_limit,
                  std::string* since, uint32_t* limit);

}  // namespace xiaoan::admin
