#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "platform/result.h"

namespace xiaoan::collector {

// JSON of a message with the proto field names (snake_case) and every primitive field
// printed, so clients see stable keys whether or not a value is the default.
Result<std::string> messageToJson(const google::protobuf::Message& message);

// Parses JSON into `message`; unknown fields are an error. E_INVALID_ARGUMENT when invalid.
Status jsonToMessage(std::string_view json, google::protobuf::Message* message);

}  // namespace xiaoan::collector
