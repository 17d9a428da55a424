#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include <chrono>

namespace xiaoan::agent::content {

// google.protobuf.Timestamp <-> system_clock for the content channel (the agent core has its
// own in agent/core/time_util.h, which this library must not depend on).
inline google::protobuf::Timestamp protoTime(std::chrono::system_clock::time_point t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

inline std::chrono::system_clock::time_point fromProtoTime(const google::protobuf::Timestamp& ts) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(google::protobuf::util::TimeUtil::TimestampToNanoseconds(ts))));
}

}  // namespace xiaoan::agent::content
