#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>

namespace xiaoan::agent {

// google.protobuf.Timestamp <-> system_clock.
google::protobuf::Timestamp toTimestamp(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point fromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace xiaoan::agent
