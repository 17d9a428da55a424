#pragma once

#include <string_view>
#include <vector>

#include "common/policy/policy_rules.h"

namespace xiaoan::policy {

// Sets one field of a policy layer from an admin's "FIELD.PATH=VALUE" (xiaoan-admin policy
// set), e.g. path "agent.checkin_interval_seconds", value "300". Values by field type:
//   numbers: decimal; bool: true/false; strings: the text as is; enums: the full name or the
//   short one ("enforce" for ENFORCEMENT_ACTION_ENFORCE); repeated scalars: a JSON list or a
//   comma-separated list; messages and repeated messages: JSON ('[{"start":"08:00",...}]').
// An empty value clears the field, so the layer inherits it again.
// E_INVALID_ARGUMENT with `issues` naming `path` for an unknown path or an unfit value. Range
// checks are not done here: run validateLayer on the result.
Status setPolicyField(v1::Policy& layer, std::string_view path, std::string_view value,
                      std::vector<FieldIssue>* issues);

}  // namespace xiaoan::policy
