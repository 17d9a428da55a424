#pragma once

// Times as the command-line tools show them to people.

#include <cstdint>
#include <string>

#include "platform/error_code.h"

namespace xiaoan {

// "2026-11-21 14:03:05" in the local time zone (TZ); "?" when the OS cannot convert it.
std::string formatLocalTime(int64_t unix_seconds);

// How long ago, coarse and localized: "刚刚"/"just now" (< 5 s), "42 秒前"/"42 s ago",
// "3 分钟前"/"3 min ago", "5 小时前"/"5 h ago" (< 48 h), "12 天前"/"12 days ago".
// A negative age (clock skew) is "在未来"/"in the future".
std::string formatAge(int64_t age_seconds, Lang lang);

// formatLocalTime followed by the age: "2026-11-21 14:03:05（3 分钟前）" /
// "2026-11-21 14:03:05 (3 min ago)".
std::string formatTimeWithAge(int64_t unix_seconds, int64_t now_unix_seconds, Lang lang);

}  // namespace xiaoan
