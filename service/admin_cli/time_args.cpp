#include "service/admin_cli/time_args.h"

#include <google/protobuf/util/time_util.h>

#include "common/cli/cli_args.h"

namespace xiaoan::admin {

std::optional<uint64_t> parseDurationSeconds(std::string_view text) {
  uint64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        unit = 0;
    }
    if (unit != 0) text.remove_suffix(1);
    if (unit == 0) unit = 1;
  }
  auto n = parseUint(text, 1, kMaxDurationSeconds);
  if (!n || *n > kMaxDurationSeconds / unit) return std::nullopt;
  return *n * unit;
}

std::optional<std::string> parseSince(const std::string& text, int64_t now_unix_seconds) {
  google::protobuf::Timestamp at;
  if (text.find('T') != std::string::npos) {
    if (!google::protobuf::util::TimeUtil::FromString(text, &at)) return std::nullopt;
  } else {
    auto back = parseDurationSeconds(text);
    if (!back) return std::nullopt;
    at.set_seconds(now_unix_seconds - static_cast<int64_t>(*back));
  }
  if (at.seconds() < 0) return std::nullopt;  // before 1970: a typo, not a query
  return google::protobuf::util::TimeUtil::ToString(at);
}

}  // namespace xiaoan::admin
