#include "agent/core/time_util.h"

namespace xiaoan::agent {

google::protobuf::Timestamp toTimestamp(std::chrono::system_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  int64_t secs = ns / 1'000'000'000;
  int64_t rem = ns % 1'000'000'000;
  if (rem < 0) {  // Timestamp wants non-negative nanos
    rem += 1'000'000'000;
    --secs;
  }
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(rem));
  return ts;
}

std::chrono::system_clock::time_point fromTimestamp(const google::protobuf::Timestamp& ts) {
  const auto d = std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos());
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(d));
}

}  // namespace xiaoan::agent
