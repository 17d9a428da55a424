#include "agent/ctl/status_health.h"

#include <doctest/doctest.h>

#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

TEST_CASE("healthy needs running, enrolled, connected and no errors") {
  v1::AgentStatus s = healthyStatus();
  Assessment a = assess(s);
  CHECK(a.health == Health::kHealthy);
  CHECK(a.concerns.empty());
  CHECK(exitCodeFor(a) == kExitHealthy);

  // A last_error left over from an earlier outage does not make a connected agent degraded.
  s.mutable_last_error()->set_code("E_TIMEOUT");
  CHECK(assess(s).health == Health::kHealthy);
}

TEST_CASE("each departure from healthy is a concern and exit 1") {
  struct Case {
    const char* name;
    void (*mutate)(v1::AgentStatus*);
    Concern concern;
  };
  const Case cases[] = {
      {"offline", [](v1::AgentStatus* s) { s->set_connection(v1::CONNECTION_STATE_OFFLINE); },
       Concern::kOffline},
      {"error", [](v1::AgentStatus* s) { s->set_connection(v1::CONNECTION_STATE_ERROR); },
       Concern::kConnectionError},
      {"unknown", [](v1::AgentStatus* s) { s->clear_connection(); }, Concern::kNotConnectedYet},
      {"not enrolled",
       [](v1::AgentStatus* s) { s->set_enrollment(v1::ENROLLMENT_STATE_NOT_ENROLLED); },
       Concern::kNotEnrolled},
      {"enrollment unknown", [](v1::AgentStatus* s) { s->clear_enrollment(); },
       Concern::kNotEnrolled},
      {"rejected", [](v1::AgentStatus* s) { s->set_enrollment(v1::ENROLLMENT_STATE_REJECTED); },
       Concern::kEnrollRejected},
      {"errors", [](v1::AgentStatus* s) { s->add_errors()->set_code("E_SPOOL_FULL"); },
       Concern::kErrors},
      {"stale", [](v1::AgentStatus* s) { s->mutable_content()->set_stale(true); },
       Concern::kContentStale},
      {"update rejected",
       [](v1::AgentStatus* s) {
         s->mutable_content()->mutable_last_rejection()->set_code("E_META_ROLLBACK");
       },
       Concern::kContentRejected},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    v1::AgentStatus s = healthyStatus();
    c.mutate(&s);
    const Assessment a = assess(s);
    CHECK(a.health == Health::kDegraded);
    REQUIRE(a.concerns.size() == 1);
    CHECK(a.concerns[0] == c.concern);
    CHECK(exitCodeFor(a) == kExitDegraded);
  }
}

TEST_CASE("not running outranks everything else") {
  v1::AgentStatus s = offlineStatus();
  s.set_daemon_running(false);
  const Assessment a = assess(s);
  CHECK(a.health == Health::kNotRunning);
  CHECK(exitCodeFor(a) == kExitDaemonNotRunning);
  s = healthyStatus();
  s.set_daemon_running(false);
  CHECK(exitCodeFor(assess(s)) == kExitDaemonNotRunning);
}

}  // namespace
}  // namespace xiaoan::ctl::testing
