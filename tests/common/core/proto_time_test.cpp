#include "common/proto_time.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

TEST_CASE("toTimestamp and fromTimestamp round-trip to the clock's resolution") {
  const TimePoint t = TimePoint(seconds(1'800'000'000)) +
                      std::chrono::duration_cast<TimePoint::duration>(nanoseconds(123'456'789));
  const auto ts = toTimestamp(t);
  CHECK(ts.seconds() == 1'800'000'000);
  CHECK(ts.nanos() == 123'456'789);  // system_clock counts nanoseconds here
  CHECK(fromTimestamp(ts) == t);
}

TEST_CASE("times before 1970 keep the nanos non-negative") {
  const TimePoint t = TimePoint(-seconds(2)) + std::chrono::milliseconds(250);  // -1.75 s
  const auto ts = toTimestamp(t);
  CHECK(ts.seconds() == -2);
  CHECK(ts.nanos() == 250'000'000);
  CHECK(fromTimestamp(ts) == t);
}

TEST_CASE("an unset Timestamp is the epoch") {
  CHECK(fromTimestamp(google::protobuf::Timestamp()) == TimePoint{});
}

}  // namespace
}  // namespace xiaoan
