#include "agent/ctl/text_format.h"

#include <cstdio>
#include <iterator>

#include "common/text/tr.h"

namespace xiaoan::ctl {

std::string formatBytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n) / 1024;
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string num = buf;
  if (num.size() > 2 && num.compare(num.size() - 2, 2, ".0") == 0) num.resize(num.size() - 2);
  return num + " " + kUnits[unit];
}

std::string formatDuration(uint64_t seconds, Lang lang) {
  const auto s = std::to_string(seconds % 60), m = std::to_string(seconds / 60 % 60),
             h = std::to_string(seconds / 3600);
  if (seconds < 60) return tr(lang, s + " 秒", s + " s");
  if (seconds < 3600) return tr(lang, m + " 分 " + s + " 秒", m + " min " + s + " s");
  return tr(lang, h + " 小时 " + m + " 分", h + " h " + m + " min");
}

}  // namespace xiaoan::ctl
