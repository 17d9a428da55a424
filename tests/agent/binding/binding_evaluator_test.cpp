#include "agent/binding/binding_evaluator.h"

#include <doctest/doctest.h>

#include "tests/fakes/fake_network_info.h"

namespace xiaoan::agent::binding {
namespace {

using V = v1::ViolationKind;

NetworkSnapshot labPc() { return *testing::FakeNetworkInfo().snapshot(); }

InterfaceFacts& eth0(NetworkSnapshot& s) { return s.interfaces[1]; }

v1::BindingPolicy assigned() {
  v1::BindingPolicy p;
  p.set_enabled(true);
  p.set_mode(v1::BINDING_MODE_REPORT);
  p.set_mac("52:54:00:12:34:56");
  p.set_ipv4("10.1.2.37/24");
  p.set_gateway("10.1.2.1");
  p.add_dns("10.1.0.53");
  return p;
}

std::vector<V> kinds(const Evaluation& e) {
  std::vector<V> out;
  for (const auto& v : e.violations) out.push_back(v.kind());
  return out;
}

Observations seenBound(uint32_t index) {
  Observations o;
  o.previous_bound_index = index;
  return o;
}

v1::Violation only(const Evaluation& e) {
  REQUIRE(e.violations.size() == 1);
  return e.violations[0];
}

}  // namespace

TEST_CASE("a PC with its assignment is compliant, bound to eth0") {
  auto e = evaluateBinding(labPc(), assigned(), {});
  CHECK(e.violations.empty());
  CHECK(e.bound_name == "eth0");
  CHECK(e.bound_index == 2);
  CHECK(e.permanent_mac == "52:54:00:12:34:56");
}

TEST_CASE("disabled binding reports nothing, whatever the network") {
  auto p = assigned();
  p.set_enabled(false);
  NetworkSnapshot s = labPc();
  eth0(s).ipv4 = {"192.168.9.9/24"};
  CHECK(evaluateBinding(s, p, {}).violations.empty());
  p.clear_enabled();
  CHECK(evaluateBinding(s, p, {}).violations.empty());
}

TEST_CASE("wrong IP: another address, another prefix, no address") {
  NetworkSnapshot s = labPc();
  SUBCASE("another address") {
    eth0(s).ipv4 = {"10.1.2.99/24"};
    auto e = evaluateBinding(s, assigned(), {});
    CHECK(kinds(e) == std::vector<V>{V::VIOLATION_KIND_WRONG_IP, V::VIOLATION_KIND_EXTRA_IP});
    CHECK(e.violations[0].interface() == "eth0");
    CHECK(e.violations[0].expected() == "10.1.2.37/24");
    CHECK(e.violations[0].actual() == "10.1.2.99/24");
  }
  SUBCASE("same address, other prefix") {
    eth0(s).ipv4 = {"10.1.2.37/16"};
    CHECK(kinds(evaluateBinding(s, assigned(), {})) ==
          std::vector<V>{V::VIOLATION_KIND_WRONG_IP, V::VIOLATION_KIND_EXTRA_IP});
  }
  SUBCASE("no address at all") {
    eth0(s).ipv4.clear();
    const auto v = only(evaluateBinding(s, assigned(), {}));
    CHECK(v.kind() == V::VIOLATION_KIND_WRONG_IP);
    CHECK(v.actual().empty());
  }
}

TEST_CASE("extra IP beside the assigned one lists only the extras") {
  NetworkSnapshot s = labPc();
  eth0(s).ipv4 = {"10.1.2.37/24", "10.1.2.200/24", "172.16.0.5/16"};
  const auto v = only(evaluateBinding(s, assigned(), {}));
  CHECK(v.kind() == V::VIOLATION_KIND_EXTRA_IP);
  CHECK(v.actual() == "10.1.2.200/24,172.16.0.5/16");
}

TEST_CASE("addresses on other interfaces are not the bound interface's business") {
  NetworkSnapshot s = labPc();
  s.interfaces.push_back(testing::nic("docker0", "02:42:00:00:00:01", {"172.17.0.1/16"}, 3));
  CHECK(evaluateBinding(s, assigned(), {}).violations.empty());
}

TEST_CASE("wrong gateway: other address, none, or via another interface") {
  NetworkSnapshot s = labPc();
  SUBCASE("other gateway") {
    s.gateway = "10.1.2.254";
    const auto v = only(evaluateBinding(s, assigned(), {}));
    CHECK(v.kind() == V::VIOLATION_KIND_WRONG_GATEWAY);
    CHECK(v.expected() == "10.1.2.1");
    CHECK(v.actual() == "10.1.2.254");
  }
  SUBCASE("no default route") {
    s.gateway.clear();
    s.gateway_index = 0;
    CHECK(only(evaluateBinding(s, assigned(), {})).actual().empty());
  }
  SUBCASE("right gateway, wrong interface") {
    s.interfaces.push_back(testing::nic("wlan0", "02:00:00:00:00:09", {}, 7));
    s.gateway_index = 7;
    const auto v = only(evaluateBinding(s, assigned(), {}));
    CHECK(v.kind() == V::VIOLATION_KIND_WRONG_GATEWAY);
    CHECK(v.actual() == "10.1.2.1 via wlan0");
  }
  SUBCASE("no gateway in the policy: not checked") {
    s.gateway = "10.9.9.9";
    auto p = assigned();
    p.clear_gateway();
    CHECK(evaluateBinding(s, p, {}).violations.empty());
  }
}

TEST_CASE("wrong DNS: order counts; unset DNS is not checked") {
  NetworkSnapshot s = labPc();
  auto p = assigned();
  p.add_dns("10.1.0.54");
  s.dns = {"10.1.0.54", "10.1.0.53"};
  const auto v = only(evaluateBinding(s, p, {}));
  CHECK(v.kind() == V::VIOLATION_KIND_WRONG_DNS);
  CHECK(v.expected() == "10.1.0.53,10.1.0.54");
  CHECK(v.actual() == "10.1.0.54,10.1.0.53");
  p.clear_dns();
  CHECK(evaluateBinding(s, p, {}).violations.empty());
}

TEST_CASE("MAC spoofed: the burned-in MAC is the assigned one, the current one is not") {
  NetworkSnapshot s = labPc();
  eth0(s).mac = "02:de:ad:be:ef:01";
  const auto v = only(evaluateBinding(s, assigned(), {}));
  CHECK(v.kind() == V::VIOLATION_KIND_MAC_CHANGED);
  CHECK(v.interface() == "eth0");
  CHECK(v.expected() == "52:54:00:12:34:56");
  CHECK(v.actual() == "02:de:ad:be:ef:01");
}

TEST_CASE("MAC cloned: another NIC wears the assigned MAC") {
  NetworkSnapshot s = labPc();
  eth0(s).permanent_mac = "00:e0:4c:68:00:01";
  const auto v = only(evaluateBinding(s, assigned(), {}));
  CHECK(v.kind() == V::VIOLATION_KIND_MAC_CHANGED);
  CHECK(v.actual() == "52:54:00:12:34:56 (permanent 00:e0:4c:68:00:01)");
}

TEST_CASE("MAC changed on a NIC without a permanent MAC: the interface bound before") {
  NetworkSnapshot s = labPc();
  eth0(s).permanent_mac.clear();
  eth0(s).mac = "02:00:00:00:00:77";
  auto e = evaluateBinding(s, assigned(), seenBound(2));
  CHECK(kinds(e) == std::vector<V>{V::VIOLATION_KIND_MAC_CHANGED});
  CHECK(e.bound_name == "eth0");
  SUBCASE("without that memory it looks like a replaced NIC") {
    auto fresh = evaluateBinding(s, assigned(), {});
    CHECK(kinds(fresh) == std::vector<V>{V::VIOLATION_KIND_NIC_REPLACED});
    CHECK(fresh.violations[0].actual() == "eth0=02:00:00:00:00:77");
    CHECK(fresh.bound_name == "eth0");  // IP checks still run on the default route's NIC
  }
}

TEST_CASE("NIC replaced: nobody has the MAC; the IP checks run on the default route's NIC") {
  NetworkSnapshot s = labPc();
  eth0(s).mac = eth0(s).permanent_mac = "00:e0:4c:68:00:02";
  eth0(s).ipv4 = {"10.1.2.50/24"};
  auto e = evaluateBinding(s, assigned(), seenBound(9));  // gone
  CHECK(kinds(e) == std::vector<V>{V::VIOLATION_KIND_NIC_REPLACED, V::VIOLATION_KIND_WRONG_IP,
                                   V::VIOLATION_KIND_EXTRA_IP});
  CHECK(e.violations[1].interface() == "eth0");
}

TEST_CASE("the MAC comparison ignores case; loopback is never bound") {
  auto p = assigned();
  p.set_mac("52:54:00:12:34:56");
  NetworkSnapshot s = labPc();
  eth0(s).mac = eth0(s).permanent_mac = "52:54:00:12:34:56";
  p.set_mac("52:54:00:12:34:56");
  CHECK(evaluateBinding(s, p, {}).violations.empty());
  p.set_mac("52:54:00:12:34:56");
  for (auto& c : *p.mutable_mac()) c = static_cast<char>(std::toupper(c));
  CHECK(evaluateBinding(s, p, {}).violations.empty());
  s.interfaces[0].mac = "00:00:00:00:00:01";
  p.set_mac("00:00:00:00:00:01");
  CHECK(kinds(evaluateBinding(s, p, {}))[0] == V::VIOLATION_KIND_NIC_REPLACED);
}

TEST_CASE("no MAC in the policy: the default route's interface, else the address, else the only") {
  auto p = assigned();
  p.clear_mac();
  NetworkSnapshot s = labPc();
  s.interfaces.push_back(testing::nic("eth1", "02:00:00:00:00:02", {"10.1.2.37/24"}, 3));
  eth0(s).ipv4 = {"192.168.1.5/24"};
  auto e = evaluateBinding(s, p, {});
  CHECK(e.bound_name == "eth0");
  CHECK(kinds(e) == std::vector<V>{V::VIOLATION_KIND_WRONG_IP, V::VIOLATION_KIND_EXTRA_IP});
  s.gateway_index = 0;
  s.gateway.clear();
  p.clear_gateway();
  e = evaluateBinding(s, p, {});
  CHECK(e.bound_name == "eth1");
  CHECK(e.violations.empty());
  s.interfaces[2].ipv4.clear();
  e = evaluateBinding(s, p, {});
  CHECK(e.bound_index == 0);  // two candidates, none carries it: nothing to bind
  CHECK(kinds(e) == std::vector<V>{V::VIOLATION_KIND_WRONG_IP});
}

TEST_CASE("ARP conflict for the assigned address names the other MAC") {
  Observations seen;
  seen.conflicts = {{"10.1.2.99", "02:00:00:00:00:aa"}, {"10.1.2.37", "02:00:00:00:00:bb"}};
  const auto v = only(evaluateBinding(labPc(), assigned(), seen));
  CHECK(v.kind() == V::VIOLATION_KIND_IP_CONFLICT);
  CHECK(v.expected() == "10.1.2.37");
  CHECK(v.other_mac() == "02:00:00:00:00:bb");
}

TEST_CASE("several violations at once, in a stable order") {
  NetworkSnapshot s = labPc();
  eth0(s).mac = "02:de:ad:be:ef:01";
  eth0(s).ipv4 = {"10.1.2.99/24"};
  s.gateway = "10.1.2.254";
  s.dns = {"8.8.8.8"};
  CHECK(kinds(evaluateBinding(s, assigned(), {})) ==
        std::vector<V>{V::VIOLATION_KIND_MAC_CHANGED, V::VIOLATION_KIND_WRONG_IP,
                       V::VIOLATION_KIND_EXTRA_IP, V::VIOLATION_KIND_WRONG_GATEWAY,
                       V::VIOLATION_KIND_WRONG_DNS});
}

TEST_CASE("violation keys tell episodes apart by kind, interface and expected value") {
  v1::Violation a, b;
  a.set_kind(V::VIOLATION_KIND_WRONG_IP);
  a.set_interface("eth0");
  a.set_expected("10.1.2.37/24");
  a.set_actual("10.1.2.99/24");
  b = a;
  b.set_actual("10.1.2.98/24");
  CHECK(violationKey(a) == violationKey(b));
  b.set_expected("10.1.2.38/24");
  CHECK(violationKey(a) != violationKey(b));
  CHECK(addressOf("10.1.2.37/24") == "10.1.2.37");
}

}  // namespace xiaoan::agent::binding
