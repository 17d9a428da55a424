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

// Deepest nesting of objects and arrays accepted from JSON we did not write. Our messages
// nest a few levels; protobuf's JSON parser slows down badly on very deep input (a 64 KB
// body of 32 000 '[' kept it busy for minutes), so depth is checked before it sees the text.
inline constexpr size_t kMaxJsonDepth = 32;

// A byte scan (strings and their escapes skipped) refusing JSON that nests objects/arrays
// deeper than `max_depth`: E_TOO_LARGE "JSON nests deeper than N levels". It does not
// validate the JSON otherwise; the parser that runs next does.
Status checkJsonDepth(std::string_view json, size_t max_depth = kMaxJsonDepth);

// Parses the same mapping into `message` (field names in either case); unknown fields are an
// error, so that a typo is not silently a default. E_INVALID_ARGUMENT "invalid JSON: <why>"
// (the why never quotes the input); E_TOO_LARGE when nested deeper than kMaxJsonDepth.
Status parseStrictJson(std::string_view json, google::protobuf::Message* message);

// The first line of a protobuf JSON parser error, made safe to show: the parser appends the
// input around the error (raw bytes: invalid UTF-8, escape sequences), which we never echo.
std::string jsonErrorReason(std::string_view parser_message);

// Makes every string field of `message` (nested and repeated ones too) safe to echo:
// sanitizeForTerminal (invalid UTF-8, control and bidi characters become U+FFFD). For answers
// that quote what a peer sent, so they are always valid UTF-8 and read as what they are.
void sanitizeStringFields(google::protobuf::Message* message);

}  // namespace xiaoan
