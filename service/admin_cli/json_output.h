#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "platform/result.h"

namespace xiaoan::admin {

// --json output: protobuf's JSON mapping with proto (snake_case) names, every scalar and
// repeated field printed (stable keys, never "null"), enums by name, indented, newline-ended.
Result<std::string> toStableJson(const google::protobuf::Message& message);

}  // namespace xiaoan::admin
