#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan {

// Our one JSON view of protobuf messages, for people and for peers: protobuf's JSON mapping
// with the proto field names (snake_case), every scalar and repeated field printed even when
// default (so keys are stable and nothing is ever "null"), enums by name, unset message fields
// omitted. 64-bit integers are JSON strings, as the mapping says.
// Both printers fail only for a message the mapping cannot express (e.g. a Timestamp outside
// 0001..9999): E_INTERNAL "cannot render JSON: <why>".

// Indented, ending in a newline: `xiaoanctl --json`, `xiaoan-admin --json`, golden files.
Result<std::string> toStableJson(const google::protobuf::Message& message);

// On one line, no newline: the collector's HTTP bodies and the JSON it stores.
Result<std::string> toCompactJson(const google::protobuf::Message& message);

// Parses the same mapping into `message` (field names in either case); unknown fields are an
// error, so that a typo is not silently a default. E_INVALID_ARGUMENT "invalid JSON: <why>".
Status parseStrictJson(std::string_view json, google::protobuf::Message* message);

}  // namespace xiaoan
