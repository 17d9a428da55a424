#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "platform/result.h"

// The opaque page cursor of the record searches (browsing visits, seat sessions, alerts): the
// (time, id) of the last row of a page, bound to the kind of record it pages through.
namespace xiaoan::collector {

inline constexpr size_t kMaxCursorBytes = 128;

// `kind` is one letter: 'v' visits, 's' sessions, 'a' alerts.
std::string encodeRecordCursor(char kind, int64_t time_ms, int64_t id);

// The (time, id) of a cursor made by encodeRecordCursor for `kind`; E_INVALID_ARGUMENT for
// anything else (another kind, bad hex, longer than kMaxCursorBytes, a field out of range).
Result<std::pair<int64_t, int64_t>> decodeRecordCursor(char kind, std::string_view cursor);

}  // namespace xiaoan::collector
