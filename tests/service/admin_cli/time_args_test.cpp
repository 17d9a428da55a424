#include "service/admin_cli/time_args.h"

#include <doctest/doctest.h>

namespace xiaoan::admin {
namespace {

constexpr int64_t kNow = 1795269785;  // 2026-11-21T14:03:05Z

TEST_CASE("durations: d, h, m, s suffixes and bare seconds") {
  CHECK(parseDurationSeconds("30d") == 30u * 86400);
  CHECK(parseDurationSeconds("12h") == 12u * 3600);
  CHECK(parseDurationSeconds("90m") == 5400u);
  CHECK(parseDurationSeconds("45s") == 45u);
  CHECK(parseDurationSeconds("3600") == 3600u);
  CHECK(parseDurationSeconds("3650d") == kMaxDurationSeconds);
  for (const char* bad : {"", "d", "0", "0d", "-1d", "1.5h", "12H", "1w", " 1d", "1d ", "3651d",
                          "99999999999999999999", "1e3"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseDurationSeconds(bad).has_value());
  }
}

TEST_CASE("--since: RFC 3339 times are normalised to UTC, durations count back from now") {
  CHECK(parseSince("2026-11-01T00:00:00Z", kNow) == "2026-11-01T00:00:00Z");
  CHECK(parseSince("2026-11-01T08:00:00+08:00", kNow) == "2026-11-01T00:00:00Z");
  CHECK(parseSince("2026-11-01T00:00:00.5Z", kNow) == "2026-11-01T00:00:00.500Z");
  CHECK(parseSince("24h", kNow) == "2026-11-20T14:03:05Z");
  CHECK(parseSince("7d", kNow) == "2026-11-14T14:03:05Z");
  CHECK(parseSince("3600", kNow) == "2026-11-21T13:03:05Z");
  for (const char* bad : {"", "yesterday", "2026-11-01", "2026-11-01T00:00:00",
                          "2026-13-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-01 00:00:00Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseSince(bad, kNow).has_value());
  }
}

}  // namespace
}  // namespace xiaoan::admin
