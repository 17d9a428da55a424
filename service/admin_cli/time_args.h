#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xiaoan::admin {

// Longest duration accepted anywhere (10 years).
inline constexpr uint64_t kMaxDurationSeconds = 3650ull * 86400;

// "30d", "12h", "90m", "45s" or bare seconds "3600" -> seconds, 1 .. kMaxDurationSeconds.
std::optional<uint64_t> parseDurationSeconds(std::string_view text);

// --since: an RFC 3339 time ("2026-11-01T00:00:00Z", "2026-11-01T08:00:00+08:00") or a
// duration back from `now` ("24h", "7d"). Returns the instant as RFC 3339 UTC
// ("2026-11-01T00:00:00Z"), or nullopt when it is neither.
std::optional<std::string> parseSince(const std::string& text, int64_t now_unix_seconds);

}  // namespace xiaoan::admin
