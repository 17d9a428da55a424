// Daily scan windows: "HH:MM" parsing, windows across midnight, time until the next opens.
#include "agent/scan/time_window.h"

#include <doctest/doctest.h>

namespace xiaoan::agent::scan {
namespace {

std::vector<DailyWindow> windows(std::initializer_list<std::pair<const char*, const char*>> list) {
  google::protobuf::RepeatedPtrField<v1::TimeWindow> proto;
  for (const auto& [start, end] : list) {
    auto* w = proto.Add();
    w->set_start(start);
    w->set_end(end);
  }
  auto parsed = parseWindows(proto);
  REQUIRE_MESSAGE(parsed.isOk(), parsed.status().toString());
  return *parsed;
}

int at(int h, int m) { return h * 60 + m; }

TEST_CASE("clock times: HH:MM, 00:00..23:59, nothing else") {
  CHECK(parseClockTime("00:00") == 0);
  CHECK(parseClockTime("17:05") == at(17, 5));
  CHECK(parseClockTime("23:59") == at(23, 59));
  for (const char* bad : {"24:00", "12:60", "7:00", "07:0", "07-00", "", "ab:cd", "07:000"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseClockTime(bad).has_value());
  }
}

TEST_CASE("no windows: any time") {
  CHECK(inWindow({}, at(3, 0)));
  CHECK(minutesUntilOpen({}, at(3, 0)) == 0);
}

TEST_CASE("after school and at lunch; start inclusive, end exclusive") {
  const auto w = windows({{"17:00", "22:00"}, {"12:00", "13:30"}});
  CHECK(inWindow(w, at(17, 0)));
  CHECK(inWindow(w, at(21, 59)));
  CHECK_FALSE(inWindow(w, at(22, 0)));
  CHECK(inWindow(w, at(12, 45)));
  CHECK_FALSE(inWindow(w, at(13, 30)));
  CHECK_FALSE(inWindow(w, at(8, 0)));
  CHECK(minutesUntilOpen(w, at(8, 0)) == 4 * 60);    // lunch first
  CHECK(minutesUntilOpen(w, at(14, 0)) == 3 * 60);   // then the evening
  CHECK(minutesUntilOpen(w, at(23, 0)) == 13 * 60);  // tomorrow's lunch
  CHECK(minutesUntilOpen(w, at(12, 10)) == 0);
}

TEST_CASE("a window across midnight") {
  const auto w = windows({{"22:00", "06:00"}});
  CHECK(inWindow(w, at(23, 30)));
  CHECK(inWindow(w, at(0, 0)));
  CHECK(inWindow(w, at(5, 59)));
  CHECK_FALSE(inWindow(w, at(6, 0)));
  CHECK_FALSE(inWindow(w, at(12, 0)));
  CHECK(minutesUntilOpen(w, at(21, 0)) == 60);
}

TEST_CASE("malformed or empty windows are refused") {
  google::protobuf::RepeatedPtrField<v1::TimeWindow> proto;
  auto* w = proto.Add();
  w->set_start("08:00");
  w->set_end("08:00");
  CHECK(parseWindows(proto).status().code() == ErrorCode::kInvalidArgument);
  w->set_end("8:30");
  CHECK(parseWindows(proto).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("local minute of day follows TZ") {
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1795269785));
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  CHECK(localMinuteOfDay(t) == at(14, 3));  // 2026-11-21 14:03:05 UTC
  ::setenv("TZ", "Asia/Shanghai", 1);
  ::tzset();
  CHECK(localMinuteOfDay(t) == at(22, 3));
  ::unsetenv("TZ");
  ::tzset();
}

}  // namespace
}  // namespace xiaoan::agent::scan
