// "Is someone using the PC": idle time from the sessions' last input, by the injected clock.
#include "agent/scan/user_activity.h"

#include <doctest/doctest.h>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_user_sessions.h"

namespace xiaoan::agent::scan {
namespace {

using namespace std::chrono_literals;

TEST_CASE("idle time is measured from the newest input of any session") {
  xiaoan::testing::FakeClock clock;
  xiaoan::testing::FakeUserSessions sessions;
  UserActivity activity(sessions, clock);
  CHECK_FALSE(activity.idleFor().has_value());  // no terminal seen: unknown
  const auto now = clock.now();
  sessions.setSessions(
      {{"tty1", 0, now - 3h}, {"pts/2", 1000, now - 90s}, {"pts/5", 1001, now - 1h}});
  CHECK(activity.idleFor() == 90s);
  clock.advance(10s);
  CHECK(activity.idleFor() == 100s);
  // Input stamped in the future (the clock was set back) counts as just now.
  sessions.setSessions({{"pts/2", 1000, clock.now() + 1h}});
  CHECK(activity.idleFor() == 0s);
}

}  // namespace
}  // namespace xiaoan::agent::scan
