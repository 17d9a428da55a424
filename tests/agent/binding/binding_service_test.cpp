#include "agent/binding/binding_service.h"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "tests/agent/binding/recording_reporter.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_network_config.h"
#include "tests/fakes/fake_network_info.h"

namespace xiaoan::agent::binding {
namespace {

using namespace std::chrono_literals;
using K = v1::BindingEvent;

v1::BindingPolicy policy(v1::BindingMode mode, uint32_t grace = 30) {
  v1::BindingPolicy p;
  p.set_enabled(true);
  p.set_mode(mode);
  p.set_mac("52:54:00:12:34:56");
  p.set_ipv4("10.1.2.37/24");
  p.set_gateway("10.1.2.1");
  p.add_dns("10.1.0.53");
  p.set_grace_seconds(grace);
  p.set_check_interval_seconds(300);
  p.set_isolation_allow_dhcp(true);
  p.set_isolation_allow_dns(true);
  return p;
}

// Answers every probe with `other` (empty: nobody answers) and counts the probes.
class FakeArpProber final : public ArpProber {
 public:
  Result<std::optional<std::string>> probe(uint32_t index, const std::string& own_mac,
                                           const std::string& ip) override {
    probes.push_back(std::to_string(index) + " " + own_mac + " " + ip);
    if (other.empty()) return std::optional<std::string>();
    return std::optional<std::string>(other);
  }
  std::string other;
  std::vector<std::string> probes;
};

testing::FakeIsolation isolationThatIs(bool active) {
  testing::FakeIsolation i;
  i.active = active;
  return i;
}

struct Rig {
  // `stale_isolation`: the table is in place before the service starts (an earlier run's).
  explicit Rig(bool stale_isolation = false)
      : config(net),
        isolation(isolationThatIs(stale_isolation)),
        service(options(), clock, net, nullptr, config, isolation, reporter, &prober) {}
  static BindingServiceOptions options() {
    BindingServiceOptions o;
    o.collector_host = "127.0.0.1";
    o.collector_port = 8443;
    return o;
  }
  // Restore mode without grace, and DNS changed by hand.
  void restoringWrongDns() {
    auto p = policy(v1::BINDING_MODE_RESTORE, 0);
    service.applyPolicy(&p);
    net.change([](NetworkSnapshot& s) { s.dns = {"8.8.8.8"}; });
  }
  void wrongIp() {
    net.change([](NetworkSnapshot& s) { s.interfaces[1].ipv4 = {"10.1.2.99/24"}; });
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
  RecordingReporter reporter;
  FakeArpProber prober;
  BindingService service;
};

}  // namespace

TEST_CASE("no policy or binding off: DISABLED, nothing reported") {
  Rig r;
  r.wrongIp();
  CHECK(r.service.status().state() == v1::COMPLIANCE_STATE_UNSPECIFIED);  // no check yet
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_DISABLED);
  auto off = policy(v1::BINDING_MODE_RESTORE);
  off.set_enabled(false);
  r.service.applyPolicy(&off);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_DISABLED);
  CHECK(r.reporter.events.empty());
  CHECK(r.config.calls.empty());
}

TEST_CASE("report mode: detected once with old and expected values, cleared when fixed") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_REPORT, 0);
  r.service.applyPolicy(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  r.wrongIp();
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_VIOLATION);
  REQUIRE(st.violations_size() == 2);  // WRONG_IP + EXTRA_IP
  CHECK(st.violations(0).since().seconds() == 1'800'000'000);
  r.clock.advance(600s);
  r.check();  // same violations: no new event
  CHECK(r.reporter.kinds() ==
        std::vector<K::Kind>{K::KIND_VIOLATION_DETECTED, K::KIND_VIOLATION_DETECTED});
  auto detected = r.reporter.events[0].violation();
  CHECK(detected.kind() == v1::VIOLATION_KIND_WRONG_IP);
  CHECK(detected.expected() == "10.1.2.37/24");
  CHECK(detected.actual() == "10.1.2.99/24");
  CHECK(r.config.calls.empty());  // report never acts
  r.net.change([](NetworkSnapshot& s) { s.interfaces[1].ipv4 = {"10.1.2.37/24"}; });
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.reporter.kinds().back() == K::KIND_VIOLATION_CLEARED);
}

TEST_CASE("restore mode: waits for the grace period, then puts address and gateway back") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_RESTORE, 30);
  r.service.applyPolicy(&p);
  r.wrongIp();
  r.net.change([](NetworkSnapshot& s) { s.gateway = "10.1.2.254"; });
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
  r.clock.advance(29s);
  r.check();
  CHECK(r.config.calls.empty());
  r.clock.advance(2s);
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.config.calls == std::vector<std::string>{"remove 2 10.1.2.99/24", "add 2 10.1.2.37/24",
                                                   "route 2 10.1.2.1"});
  auto action = r.reporter.last(K::KIND_ACTION_TAKEN);
  CHECK(action.action() == "restore address, gateway on eth0 via netlink");
  CHECK(action.error_code().empty());
  CHECK(r.reporter.last(K::KIND_VIOLATION_CLEARED).violation().kind() != 0);
}

TEST_CASE("an address another host answers for is not taken back: IP_CONFLICT, then restored") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_ISOLATE, 0);
  r.service.applyPolicy(&p);
  r.prober.other = "02:00:00:00:00:bb";
  r.net.change([](NetworkSnapshot& s) { s.interfaces[1].ipv4.clear(); });
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_VIOLATION);  // a conflict never isolates
  CHECK_FALSE(r.isolation.active);
  CHECK(r.prober.probes == std::vector<std::string>{"2 52:54:00:12:34:56 10.1.2.37"});
  CHECK(r.config.calls.empty());
  auto seen = r.reporter.last(K::KIND_CONFLICT_SEEN);
  CHECK(seen.violation().other_mac() == "02:00:00:00:00:bb");
  bool listed = false;
  for (const auto& v : st.violations())
    listed |= v.kind() == v1::VIOLATION_KIND_IP_CONFLICT && v.other_mac() == "02:00:00:00:00:bb";
  CHECK(listed);
  r.check();  // still taken: probed again, reported once
  CHECK(r.prober.probes.size() == 2);
  int conflicts_seen = 0;
  for (auto k : r.reporter.kinds()) conflicts_seen += k == K::KIND_CONFLICT_SEEN;
  CHECK(conflicts_seen == 1);
  r.prober.other.clear();  // the other PC went away
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.config.calls == std::vector<std::string>{"add 2 10.1.2.37/24"});
}

TEST_CASE("restore goes through the network manager that owns the interface") {
  Rig r;
  r.config.owner = NetworkOwner::kNetworkManager;
  r.restoringWrongDns();
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.config.calls == std::vector<std::string>{"persist NetworkManager eth0 10.1.2.37/24"});
  CHECK(r.reporter.last(K::KIND_ACTION_TAKEN).action() ==
        "restore dns on eth0 via netlink + NetworkManager");
}

TEST_CASE("ifupdown keeps the assignment in its file; DNS still goes to resolv.conf") {
  Rig r;
  r.config.owner = NetworkOwner::kIfupdown;
  r.restoringWrongDns();
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK(r.config.calls ==
        std::vector<std::string>{"persist ifupdown eth0 10.1.2.37/24", "dns 10.1.0.53"});
  CHECK(r.reporter.last(K::KIND_ACTION_TAKEN).action() ==
        "restore dns on eth0 via netlink + ifupdown + resolv.conf");
}

TEST_CASE("DNS without a manager goes to resolv.conf; a stub symlink is reported, not hidden") {
  Rig r;
  r.config.dns_fail = Status(ErrorCode::kUnsupported, "/etc/resolv.conf is a symlink");
  r.restoringWrongDns();
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
  CHECK(r.config.calls == std::vector<std::string>{"dns 10.1.0.53"});
  CHECK(r.reporter.last(K::KIND_ACTION_TAKEN).error_code().rfind("E_UNSUPPORTED", 0) == 0);
}

TEST_CASE("isolate mode: a spoofed MAC cannot be restored, so it isolates; fixed, it leaves") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_ISOLATE, 10);
  r.service.applyPolicy(&p);
  r.net.change([](NetworkSnapshot& s) { s.interfaces[1].mac = "02:de:ad:be:ef:01"; });
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
  CHECK_FALSE(r.isolation.active);
  r.clock.advance(11s);
  auto st = r.check();
  CHECK(st.state() == v1::COMPLIANCE_STATE_ISOLATED);
  CHECK(st.isolated());
  REQUIRE(r.isolation.active);
  CHECK(r.isolation.rules.collector_addresses == std::vector<std::string>{"127.0.0.1"});
  CHECK(r.isolation.rules.collector_port == 8443);
  CHECK(r.isolation.rules.allow_dhcp);
  CHECK(r.isolation.rules.dns_servers == std::vector<std::string>{"10.1.0.53"});
  CHECK(r.reporter.last(K::KIND_ISOLATION_ENTERED).violation().kind() ==
        v1::VIOLATION_KIND_MAC_CHANGED);
  r.check();
  CHECK(r.isolation.enters == 1);  // not again while in place
  r.net.change([](NetworkSnapshot& s) { s.interfaces[1].mac = "52:54:00:12:34:56"; });
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK_FALSE(r.isolation.active);
  CHECK(r.reporter.last(K::KIND_ISOLATION_LEFT).detail() == "compliant again");
}

TEST_CASE("isolate mode: a restore that fails isolates") {
  Rig r;
  r.config.fail = Status(ErrorCode::kPermissionDenied, "not root");
  auto p = policy(v1::BINDING_MODE_ISOLATE, 0);
  r.service.applyPolicy(&p);
  r.wrongIp();
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_ISOLATED);
  CHECK(r.reporter.last(K::KIND_ACTION_TAKEN).error_code().rfind("E_PERMISSION_DENIED", 0) == 0);
}

TEST_CASE("isolation ends when binding is switched off, the mode changes, or root releases it") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_ISOLATE, 0);
  r.service.applyPolicy(&p);
  r.net.change([](NetworkSnapshot& s) { s.interfaces[1].mac = "02:de:ad:be:ef:01"; });
  REQUIRE(r.check().state() == v1::COMPLIANCE_STATE_ISOLATED);
  SUBCASE("mode report") {
    auto rep = policy(v1::BINDING_MODE_REPORT);
    r.service.applyPolicy(&rep);
    CHECK(r.check().state() == v1::COMPLIANCE_STATE_VIOLATION);
    CHECK_FALSE(r.isolation.active);
  }
  SUBCASE("binding off") {
    r.service.applyPolicy(nullptr);
    CHECK(r.check().state() == v1::COMPLIANCE_STATE_DISABLED);
    CHECK_FALSE(r.isolation.active);
    CHECK(r.reporter.last(K::KIND_VIOLATION_CLEARED).detail() == "binding is off");
  }
  SUBCASE("released by root") {
    CHECK(r.service.releaseIsolation().isOk());
    CHECK_FALSE(r.isolation.active);
    CHECK(r.reporter.last(K::KIND_ISOLATION_LEFT).detail() == "released by root");
    CHECK(r.service.releaseIsolation().isOk());  // nothing left: still fine
  }
}

TEST_CASE("a stale isolation found at start is removed when no policy needs it") {
  Rig r(/*stale_isolation=*/true);
  CHECK(r.service.status().state() == v1::COMPLIANCE_STATE_UNSPECIFIED);
  auto p = policy(v1::BINDING_MODE_ISOLATE);
  r.service.applyPolicy(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  CHECK_FALSE(r.isolation.active);
}

TEST_CASE("a stale isolation with no policy at all is removed at the first check") {
  Rig r(/*stale_isolation=*/true);
  // What the service thread does once policy_wait is over.
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_DISABLED);
  CHECK_FALSE(r.isolation.active);
  CHECK(r.reporter.last(K::KIND_ISOLATION_LEFT).detail() == "binding is off");
}

TEST_CASE("a network that cannot be read is an error, and status keeps the last check") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_REPORT);
  r.service.applyPolicy(&p);
  CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  r.net.failWith(Status(ErrorCode::kIo, "netlink broken"));
  CHECK(r.service.checkNow().status().code() == ErrorCode::kIo);
  CHECK(r.service.status().state() == v1::COMPLIANCE_STATE_COMPLIANT);
}

TEST_CASE("restores undone again and again are reported as a fight") {
  Rig r;
  auto p = policy(v1::BINDING_MODE_RESTORE, 0);
  r.service.applyPolicy(&p);
  for (int i = 0; i < 3; ++i) {
    r.clock.advance(5s);
    r.wrongIp();  // something on the host puts its own address back
    CHECK(r.check().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  }
  CHECK(r.service.status().restore_fights() == 2);
  r.clock.advance(5s);
  r.wrongIp();
  r.check();
  CHECK(r.service.status().restore_fights() == 3);
  auto fight = r.reporter.last(K::KIND_RESTORE_FIGHT);
  CHECK(fight.detail() == "3 restores undone in a row");
  r.clock.advance(120s);
  r.check();
  CHECK(r.service.status().restore_fights() == 0);  // quiet for a while: the count starts over
}

TEST_CASE("the service thread checks on a change notification, debounced, within 2 s") {
  testing::FakeClock unused;
  SystemClock clock;
  testing::FakeNetworkInfo net;
  testing::FakeNetworkConfig config(net);
  testing::FakeIsolation isolation;
  RecordingReporter reporter;
  auto o = Rig::options();
  o.debounce = 50ms;
  BindingService s(o, clock, net, &net, config, isolation, reporter);
  auto p = policy(v1::BINDING_MODE_REPORT);
  s.start();
  s.applyPolicy(&p);
  auto waitFor = [&](auto pred) {
    const auto t0 = std::chrono::steady_clock::now();
    while (!pred() && std::chrono::steady_clock::now() - t0 < 3s) std::this_thread::sleep_for(10ms);
    return std::chrono::steady_clock::now() - t0;
  };
  waitFor([&] { return s.status().state() == v1::COMPLIANCE_STATE_COMPLIANT; });
  REQUIRE(s.status().state() == v1::COMPLIANCE_STATE_COMPLIANT);
  net.change([](NetworkSnapshot& n) { n.gateway = "10.1.2.254"; });
  const auto took = waitFor([&] { return !reporter.kinds().empty(); });
  CHECK(took < 2s);
  CHECK(reporter.kinds() == std::vector<K::Kind>{K::KIND_VIOLATION_DETECTED});
  s.stop();
}

}  // namespace xiaoan::agent::binding
