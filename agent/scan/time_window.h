#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/policy.pb.h"

// The daily time windows of scheduled scans (ScanPolicy.windows, "HH:MM" local time): e.g.
// after 17:00 and at lunch, per the class timetable. Pure logic on minutes since local
// midnight, so that it is tested without a clock; localMinuteOfDay() is the one seam to the OS.

namespace xiaoan::agent::scan {

inline constexpr int kMinutesPerDay = 24 * 60;

// [start, end) in minutes since local midnight; end < start crosses midnight.
struct DailyWindow {
  int start = 0;
  int end = 0;
};

// "HH:MM" -> minutes since midnight; nullopt when malformed.
std::optional<int> parseClockTime(const std::string& hh_mm);

// The windows of a policy. E_INVALID_ARGUMENT naming the first bad one (the policy validator
// already refuses them; this keeps the agent safe from a policy it did not validate).
Result<std::vector<DailyWindow>> parseWindows(
    const google::protobuf::RepeatedPtrField<v1::TimeWindow>& windows);

// True when `minute` (0..1439) lies in a window; no windows means any time.
bool inWindow(const std::vector<DailyWindow>& windows, int minute);

// Minutes until a window opens (0 when inside one or when there are none).
int minutesUntilOpen(const std::vector<DailyWindow>& windows, int minute);

// Minutes since local midnight of `t` (TZ of the process).
int localMinuteOfDay(std::chrono::system_clock::time_point t);

}  // namespace xiaoan::agent::scan
