#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/cli/cli_args.h"
#include "common/policy/policy_rules.h"
#include "service/admin_cli/admin_context.h"
#include "xiaoan/v1/admin_api.pb.h"

// What the `policy ...` commands share: the layer options and the printing of validation
// errors.
namespace xiaoan::admin {

// A policy layer named on the command line.
struct LayerRef {
  std::string scope;  // "school", "room", "terminal"
  std::string id;     // school id, "school_id/room", terminal id
  v1::PolicyScope proto_scope = v1::POLICY_SCOPE_UNSPECIFIED;
};

// --school S, --room S/R, --terminal T.
std::vector<OptionSpec> layerOptions();

// Exactly one of the layer options; otherwise prints a usage error and sets `exit_code`.
std::optional<LayerRef> layerFromArgs(const AdminContext& ctx, const ParsedArgs& args,
                                      int& exit_code);

// "学校 s1" / "school s1", "机房 s1/机房2", "终端 T".
std::string layerName(const AdminContext& ctx, const LayerRef& layer);

// A headline ("策略无效：" / "policy invalid:") and one "  field: message" line per issue on
// stderr; returns the usage exit code (2).
int reportFieldIssues(const AdminContext& ctx, const std::vector<policy::FieldIssue>& issues);

// A failed PUT: the collector's field errors like reportFieldIssues, anything else as an API
// failure.
int reportPutFailure(const AdminContext& ctx, const Status& status,
                     const std::vector<v1::FieldError>& field_errors);

}  // namespace xiaoan::admin
