#include "agent/scan/time_window.h"

#include "platform/clock.h"

namespace xiaoan::agent::scan {

std::optional<int> parseClockTime(const std::string& s) {
  auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

Result<std::vector<DailyWindow>> parseWindows(
    const google::protobuf::RepeatedPtrField<v1::TimeWindow>& windows) {
  std::vector<DailyWindow> out;
  for (int i = 0; i < windows.size(); ++i) {
    const auto start = parseClockTime(windows[i].start());
    const auto end = parseClockTime(windows[i].end());
    if (!start || !end || *start == *end) {
      return Status(ErrorCode::kInvalidArgument,
                    "scan.windows[" + std::to_string(i) + "] is not a window of HH:MM times");
    }
    out.push_back({*start, *end});
  }
  return out;
}

namespace {

bool inside(const DailyWindow& w, int minute) {
  if (w.start < w.end) return minute >= w.start && minute < w.end;
  return minute >= w.start || minute < w.end;  // crosses midnight
}

}  // namespace

bool inWindow(const std::vector<DailyWindow>& windows, int minute) {
  if (windows.empty()) return true;
  for (const auto& w : windows) {
    if (inside(w, minute)) return true;
  }
  return false;
}

int minutesUntilOpen(const std::vector<DailyWindow>& windows, int minute) {
  if (inWindow(windows, minute)) return 0;
  int best = kMinutesPerDay;
  for (const auto& w : windows) {
    const int wait = ((w.start - minute) % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay;
    if (wait < best) best = wait;
  }
  return best;
}

int localMinuteOfDay(std::chrono::system_clock::time_point t) {
  const LocalTime local = toLocalTime(t);
  return local.hour * 60 + local.minute;
}

}  // namespace xiaoan::agent::scan
