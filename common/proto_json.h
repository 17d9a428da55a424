#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "platform/result.h"

namespace xiaoan {

// The machine view of any of our messages: protobuf's JSON mapping with the proto field
// names (snake_case), every scalar and repeated field printed even when default (so keys are
// stable and nothing is ever "null"), enums by name, unset message fields omitted, indented,
// ending in a newline. 64-bit integers are JSON strings, as the mapping says.
Result<std::string> toStableJson(const google::protobuf::Message& message);

}  // namespace xiaoan
