#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Paths and owners as events carry them: paths on Linux are bytes, proto strings must be
// UTF-8, so events hold a display form (invalid bytes written as \xNN) plus the raw bytes when
// they differ (DetectionEvent.path / raw_path).

namespace xiaoan::agent::scan {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view s);

// `raw` with every byte that is not part of valid UTF-8 written as \xNN. For display only: a
// name that really contains "\x41" looks the same, which is why raw_path exists.
std::string displayPath(std::string_view raw);

// Sets `*display` and, when `raw` is not valid UTF-8, `*raw_out` (else clears it).
void setPathFields(std::string_view raw, std::string* display, std::string* raw_out);

// The user name of `uid`, or its number when it has none.
std::string ownerName(uint32_t uid);

}  // namespace xiaoan::agent::scan
