// The naming half of BindingService: hostname episodes, renames and their events, and how naming
// combines with binding in the compliance state.
#include <doctest/doctest.h>

#include <mutex>

#include "agent/binding/binding_service.h"
#include "tests/agent/binding/recording_reporter.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_hostname_control.h"
#include "tests/fakes/fake_network_config.h"
#include "tests/fakes/fake_network_info.h"

namespace xiaoan::agent::binding {
namespace {

using K = v1::BindingEvent;

v1::NamingPolicy rule(v1::EnforcementAction action) {
  v1::NamingPolicy p;
  p.set_enabled(true);
  p.set_action(action);
  p.set_pattern("{room}-{seat:02}");
  p.set_room("LAB2");
  p.set_seat(7);
  return p;
}

struct Rig {
  explicit Rig(bool windows = false)
      : config(net),
        service(BindingServiceOptions{}, clock, net, nullptr, config, isolation, events) {
    names.pending_reboot = windows;  // before the enforcer: it takes the OS rules from it
    enforcer = std::make_unique<HostnameEnforcer>(names, *codec);
    service.setHostnameEnforcer(enforcer.get());
  }
  v1::ComplianceStatus check() {
    auto r = service.checkNow();
    REQUIRE(r.isOk());
    return *r;
  }
  testing::FakeClock clock;
  testing::FakeNetworkInfo net;
  testing::FakeNetworkConfig config;
  testing::FakeIsolation isolation;
  testing::FakeHostnameControl names;
  std::unique_ptr<TextCodec> codec = makeTextCodec();
  std::unique_ptr<HostnameEnforcer> enforcer;
  RecordingReporter events;
  BindingService service;
};

}  // namespace

TEST_CASE("naming report: one episode with the expected name, cleared when fixed by hand") {
  Rig r;
  auto p = rule(v1::ENFORCEMENT_ACTION_REPORT);
  r.service.applyNaming(&p);
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_VIOLATION);  // binding off, naming on
  REQUIRE(st.violations_size() == 1);
  CHECK(st.violations(0).kind() == v1::VIOLATION_KIND_HOSTNAME);
  CHECK(st.violations(0).actual() == "lab1-pc07");
  CHECK(st.expected_hostname() == "lab2-07");  // Linux: lower-case static name
  r.check();
  CHECK(r.events.takeKinds() == std::vector<K::Kind>{K::KIND_VIOLATION_DETECTED});
  CHECK(r.names.renames == 0);
  r.names.names = {"lab2-07", "lab2-07", "LAB2-07"};  // pretty name keeps the case
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.events.takeKinds() == std::vector<K::Kind>{K::KIND_VIOLATION_CLEARED});
}

TEST_CASE("naming enforce: detected, renamed, done, cleared, in that order; then compliant") {
  Rig r;
  auto p = rule(v1::ENFORCEMENT_ACTION_ENFORCE);
  r.service.applyNaming(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.events.takeKinds() == std::vector<K::Kind>{K::KIND_VIOLATION_DETECTED,
                                                     K::KIND_ACTION_TAKEN, K::KIND_RENAME_DONE,
                                                     K::KIND_VIOLATION_CLEARED});
  CHECK(r.names.names.running == "lab2-07");
  r.names.names.running = "student-pc";  // changed by hand: fixed again at the next check
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.names.names.running == "lab2-07");
  CHECK(r.names.renames == 2);
}

TEST_CASE("naming enforce on Windows: PENDING_REBOOT until the reboot, then compliant") {
  Rig r(/*windows=*/true);
  auto p = rule(v1::ENFORCEMENT_ACTION_ENFORCE);
  r.service.applyNaming(&p);
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_PENDING_REBOOT);
  CHECK(r.events.takeKinds() == std::vector<K::Kind>{K::KIND_VIOLATION_DETECTED,
                                                     K::KIND_ACTION_TAKEN, K::KIND_RENAME_PENDING});
  // Later checks before the reboot: still pending, no second rename, no new events.
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_PENDING_REBOOT);
  CHECK(r.events.takeKinds().empty());
  CHECK(r.names.renames == 1);
  r.names.names.running = "LAB2-07";  // rebooted
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.events.takeKinds() == std::vector<K::Kind>{K::KIND_VIOLATION_CLEARED});
}

TEST_CASE("a failed rename is an action with its error; the violation stays") {
  Rig r;
  r.names.fail_with = Status(ErrorCode::kPermissionDenied, "sethostname");
  auto p = rule(v1::ENFORCEMENT_ACTION_ENFORCE);
  r.service.applyNaming(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
  std::lock_guard lock(r.events.mu);
  REQUIRE(r.events.events.size() == 2);
  CHECK(r.events.events[1].kind() == K::KIND_ACTION_TAKEN);
  CHECK(r.events.events[1].error_code().rfind("E_PERMISSION_DENIED", 0) == 0);
}

TEST_CASE("a hostname violation never restores or isolates the network") {
  Rig r;
  v1::BindingPolicy b;
  b.set_enabled(true);
  b.set_mode(v1::BINDING_MODE_ISOLATE);
  b.set_mac("52:54:00:12:34:56");
  b.set_ipv4("10.1.2.37/24");
  b.set_grace_seconds(0);
  r.service.applyPolicy(&b);
  auto p = rule(v1::ENFORCEMENT_ACTION_REPORT);
  r.service.applyNaming(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
  CHECK_FALSE(r.isolation.active);
  CHECK(r.config.calls.empty());
  // Naming turned off: the episode closes, everything is compliant.
  r.service.applyNaming(nullptr);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
}

}  // namespace xiaoan::agent::binding
