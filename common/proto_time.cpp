#include "common/proto_time.h"

namespace xiaoan {

google::protobuf::Timestamp toTimestamp(std::chrono::system_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t secs = ns / 1'000'000'000;
  int64_t rem = ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    --secs;
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(rem));
  return ts;
}

std::chrono::system_clock::time_point fromTimestamp(const google::protobuf::Timestamp& ts) {
  const auto d = std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos());
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(d));
}

}  // namespace xiaoan
