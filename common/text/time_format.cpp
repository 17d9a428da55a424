#include "common/text/time_format.h"

#include <chrono>
#include <cstdio>

#include "common/text/tr.h"
#include "platform/clock.h"

namespace xiaoan {

std::string formatLocalTime(int64_t unix_seconds) {
  const LocalTime t =
      toLocalTime(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

std::string formatAge(int64_t age_seconds, Lang lang) {
  if (age_seconds < -5) return tr(lang, "在未来", "in the future");
  if (age_seconds < 5) return tr(lang, "刚刚", "just now");
  auto phrase = [&](int64_t n, const char* zh_unit, const char* en_unit) {
    return std::to_string(n) +
           tr(lang, std::string(" ") + zh_unit + "前", std::string(" ") + en_unit + " ago");
  };
  if (age_seconds < 60) return phrase(age_seconds, "秒", "s");
  if (age_seconds < 3600) return phrase(age_seconds / 60, "分钟", "min");
  if (age_seconds < 48 * 3600) return phrase(age_seconds / 3600, "小时", "h");
  const int64_t days = age_seconds / 86400;
  return phrase(days, "天", days == 1 ? "day" : "days");
}

std::string formatTimeWithAge(int64_t unix_seconds, int64_t now_unix_seconds, Lang lang) {
  const std::string age = formatAge(now_unix_seconds - unix_seconds, lang);
  return formatLocalTime(unix_seconds) + tr(lang, "（" + age + "）", " (" + age + ")");
}

}  // namespace xiaoan
