#include "agent/binding/binding_decision.h"

#include <doctest/doctest.h>

namespace xiaoan::agent::binding {
namespace {

using namespace std::chrono_literals;

BindingSituation violating(v1::BindingMode mode, std::chrono::seconds in_violation) {
  BindingSituation s;
  s.enabled = true;
  s.mode = mode;
  s.violating = true;
  s.restorable = true;
  s.in_violation = in_violation;
  s.grace = 30s;
  return s;
}

}  // namespace

TEST_CASE("report never acts, and leaves an isolation left over") {
  auto s = violating(v1::BINDING_MODE_REPORT, 100s);
  auto d = decide(s);
  CHECK_FALSE(d.restore);
  CHECK_FALSE(d.isolate);
  CHECK_FALSE(d.leave);
  s.isolated = true;
  CHECK(decide(s).leave);
  s.mode = v1::BINDING_MODE_UNSPECIFIED;
  CHECK_FALSE(decide(s).restore);
}

TEST_CASE("restore waits for the grace period and says how long is left") {
  auto d = decide(violating(v1::BINDING_MODE_RESTORE, 12s));
  CHECK_FALSE(d.restore);
  CHECK(d.wait_for == 18s);
  d = decide(violating(v1::BINDING_MODE_RESTORE, 30s));
  CHECK(d.restore);
  CHECK_FALSE(d.isolate);
  auto mac_only = violating(v1::BINDING_MODE_RESTORE, 40s);
  mac_only.restorable = false;
  mac_only.unrestorable = true;
  d = decide(mac_only);
  CHECK_FALSE(d.restore);
  CHECK_FALSE(d.isolate);  // restore mode never isolates
}

TEST_CASE("isolate: restore first; isolate for what a restore cannot fix, failed or fought") {
  auto s = violating(v1::BINDING_MODE_ISOLATE, 31s);
  auto d = decide(s);
  CHECK(d.restore);
  CHECK_FALSE(d.isolate);
  s.unrestorable = true;
  CHECK(decide(s).isolate);
  s.unrestorable = false;
  s.restore_failed = true;
  CHECK(decide(s).isolate);
  s.restore_failed = false;
  s.fighting = true;
  d = decide(s);
  CHECK(d.isolate);
  CHECK_FALSE(d.restore);  // no more fighting: isolated instead
  auto restore_mode = s;
  restore_mode.mode = v1::BINDING_MODE_RESTORE;
  CHECK(decide(restore_mode).restore);  // restore mode keeps restoring (and reports the fight)
  s.isolated = true;
  d = decide(s);
  CHECK_FALSE(d.isolate);  // already in place
  CHECK_FALSE(d.leave);
  s.in_violation = 5s;
  s.isolated = false;
  s.unrestorable = true;
  CHECK_FALSE(decide(s).isolate);  // not before the grace period
}

TEST_CASE("compliant or disabled: the isolation is left") {
  BindingSituation s;
  s.enabled = true;
  s.mode = v1::BINDING_MODE_ISOLATE;
  s.isolated = true;
  CHECK(decide(s).leave);
  s.violating = true;
  s.enabled = false;
  CHECK(decide(s).leave);
  CHECK_FALSE(decide(s).restore);
}

}  // namespace xiaoan::agent::binding
