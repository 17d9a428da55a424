#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>

namespace xiaoan {

// google.protobuf.Timestamp <-> system_clock, exact to the clock's resolution. Times before
// 1970 keep the Timestamp's rule of non-negative nanos. An unset Timestamp is the epoch.
google::protobuf::Timestamp toTimestamp(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace xiaoan
