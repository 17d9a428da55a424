#include "common/text/time_format.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <time.h>

namespace xiaoan {
namespace {

// 2026-11-21 14:03:05 UTC
constexpr int64_t kT = 1795269785;

struct WithTz {
  explicit WithTz(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~WithTz() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

TEST_CASE("local time follows TZ") {
  {
    WithTz tz("UTC");
    CHECK(formatLocalTime(kT) == "2026-11-21 14:03:05");
  }
  {
    WithTz tz("Asia/Shanghai");
    CHECK(formatLocalTime(kT) == "2026-11-21 22:03:05");
  }
}

TEST_CASE("ages are coarse and localized") {
  CHECK(formatAge(0, Lang::kZhCn) == "刚刚");
  CHECK(formatAge(3, Lang::kEn) == "just now");
  CHECK(formatAge(42, Lang::kZhCn) == "42 秒前");
  CHECK(formatAge(42, Lang::kEn) == "42 s ago");
  CHECK(formatAge(180, Lang::kZhCn) == "3 分钟前");
  CHECK(formatAge(239, Lang::kEn) == "3 min ago");
  CHECK(formatAge(5 * 3600 + 59, Lang::kZhCn) == "5 小时前");
  CHECK(formatAge(47 * 3600, Lang::kEn) == "47 h ago");
  CHECK(formatAge(2 * 86400, Lang::kEn) == "2 days ago");
  CHECK(formatAge(90 * 86400, Lang::kZhCn) == "90 天前");
  CHECK(formatAge(-60, Lang::kZhCn) == "在未来");
  CHECK(formatAge(-60, Lang::kEn) == "in the future");
}

TEST_CASE("time with age") {
  WithTz tz("UTC");
  CHECK(formatTimeWithAge(kT - 180, kT, Lang::kZhCn) == "2026-11-21 14:00:05（3 分钟前）");
  CHECK(formatTimeWithAge(kT - 180, kT, Lang::kEn) == "2026-11-21 14:00:05 (3 min ago)");
}

}  // namespace
}  // namespace xiaoan
