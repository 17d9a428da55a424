#pragma once

#include <string>

#include "common/cli/cli_args.h"
#include "service/admin_cli/admin_context.h"

// The required --school S of the rooms and registry commands.
namespace xiaoan::admin {

OptionSpec requiredSchoolOption();

// The --school value; nullptr after printing a usage error (exit code in `code`).
const std::string* requireSchool(const AdminContext& ctx, const ParsedArgs& args, int& code);

}  // namespace xiaoan::admin
