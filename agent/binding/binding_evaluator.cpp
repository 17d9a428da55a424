#include "agent/binding/binding_evaluator.h"

#include <algorithm>
#include <cctype>

namespace xiaoan::agent::binding {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

const InterfaceFacts* find(const NetworkSnapshot& net, auto pred) {
  for (const auto& i : net.interfaces)
    if (!i.loopback && pred(i)) return &i;
  return nullptr;
}

v1::Violation violation(v1::ViolationKind kind, const std::string& itf, std::string expected,
                        std::string actual) {
  v1::Violation v;
  v.set_kind(kind);
  v.set_interface(itf);
  v.set_expected(std::move(expected));
  v.set_actual(std::move(actual));
  return v;
}

// The interface when the policy names no MAC (or none has it).
const InterfaceFacts* fallbackInterface(const NetworkSnapshot& net, const std::string& ipv4) {
  if (net.gateway_index != 0) {
    if (auto* i = find(net, [&](const InterfaceFacts& f) { return f.index == net.gateway_index; }))
      return i;
  }
  if (!ipv4.empty()) {
    auto carries = [&](const InterfaceFacts& f) {
      return std::find(f.ipv4.begin(), f.ipv4.end(), ipv4) != f.ipv4.end();
    };
    if (auto* i = find(net, carries)) return i;
  }
  const InterfaceFacts* only = nullptr;
  for (const auto& i : net.interfaces) {
    if (i.loopback) continue;
    if (only != nullptr) return nullptr;
    only = &i;
  }
  return only;
}

std::string allMacs(const NetworkSnapshot& net) {
  std::vector<std::string> macs;
  for (const auto& i : net.interfaces)
    if (!i.loopback && !i.mac.empty()) macs.push_back(i.name + "=" + i.mac);
  return join(macs);
}

// The bound interface by MAC, adding MAC_CHANGED / NIC_REPLACED as found.
const InterfaceFacts* bindByMac(const NetworkSnapshot& net, const v1::BindingPolicy& p,
                                const Observations& seen, std::vector<v1::Violation>& out) {
  const std::string mac = lower(p.mac());
  const auto* cur = find(net, [&](const InterfaceFacts& f) { return f.mac == mac; });
  const auto* perm = find(net, [&](const InterfaceFacts& f) { return f.permanent_mac == mac; });
  using V = v1::ViolationKind;
  if (perm != nullptr && perm->mac != mac) {
    out.push_back(violation(V::VIOLATION_KIND_MAC_CHANGED, perm->name, mac, perm->mac));
    return perm;
  }
  if (cur != nullptr) {
    if (perm == nullptr && !cur->permanent_mac.empty()) {
      out.push_back(violation(V::VIOLATION_KIND_MAC_CHANGED, cur->name, mac,
                              cur->mac + " (permanent " + cur->permanent_mac + ")"));
    }
    return cur;
  }
  if (seen.previous_bound_index != 0) {
    auto same = [&](const InterfaceFacts& f) { return f.index == seen.previous_bound_index; };
    if (const auto* before = find(net, same)) {
      out.push_back(violation(V::VIOLATION_KIND_MAC_CHANGED, before->name, mac, before->mac));
      return before;
    }
  }
  out.push_back(violation(V::VIOLATION_KIND_NIC_REPLACED, "", mac, allMacs(net)));
  return fallbackInterface(net, p.ipv4());
}

void checkAddresses(const InterfaceFacts* bound, const v1::BindingPolicy& p,
                    std::vector<v1::Violation>& out) {
  if (!p.has_ipv4() || p.ipv4().empty()) return;
  using V = v1::ViolationKind;
  if (bound == nullptr) {
    out.push_back(violation(V::VIOLATION_KIND_WRONG_IP, "", p.ipv4(), ""));
    return;
  }
  const auto& have = bound->ipv4;
  if (std::find(have.begin(), have.end(), p.ipv4()) == have.end())
    out.push_back(violation(V::VIOLATION_KIND_WRONG_IP, bound->name, p.ipv4(), join(have)));
  std::vector<std::string> extra;
  for (const auto& a : have)
    if (a != p.ipv4()) extra.push_back(a);
  if (!extra.empty())
    out.push_back(violation(V::VIOLATION_KIND_EXTRA_IP, bound->name, p.ipv4(), join(extra)));
}

void checkRoutes(const NetworkSnapshot& net, const InterfaceFacts* bound,
                 const v1::BindingPolicy& p, std::vector<v1::Violation>& out) {
  using V = v1::ViolationKind;
  const std::string itf = bound ? bound->name : "";
  if (p.has_gateway() && !p.gateway().empty()) {
    std::string actual = net.gateway;
    bool wrong = net.gateway != p.gateway();
    if (!wrong && bound != nullptr && net.gateway_index != bound->index) {
      wrong = true;
      auto* via = find(net, [&](const InterfaceFacts& f) { return f.index == net.gateway_index; });
      actual += " via " + (via ? via->name : std::to_string(net.gateway_index));
    }
    if (wrong) out.push_back(violation(V::VIOLATION_KIND_WRONG_GATEWAY, itf, p.gateway(), actual));
  }
  const std::vector<std::string> want(p.dns().begin(), p.dns().end());
  if (!want.empty() && net.dns != want)
    out.push_back(violation(V::VIOLATION_KIND_WRONG_DNS, itf, join(want), join(net.dns)));
}

}  // namespace

std::string addressOf(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

std::string violationKey(const v1::Violation& v) {
  return std::to_string(static_cast<int>(v.kind())) + "|" + v.interface() + "|" + v.expected();
}

Evaluation evaluateBinding(const NetworkSnapshot& net, const v1::BindingPolicy& policy,
                           const Observations& seen) {
  Evaluation e;
  if (!policy.enabled()) return e;
  const InterfaceFacts* bound = policy.has_mac() && !policy.mac().empty()
                                    ? bindByMac(net, policy, seen, e.violations)
                                    : fallbackInterface(net, policy.ipv4());
  checkAddresses(bound, policy, e.violations);
  checkRoutes(net, bound, policy, e.violations);
  const std::string ip = addressOf(policy.ipv4());
  for (const auto& c : seen.conflicts) {
    if (ip.empty() || c.ip != ip) continue;
    auto v = violation(v1::VIOLATION_KIND_IP_CONFLICT, bound ? bound->name : "", ip, "");
    v.set_other_mac(c.other_mac);
    e.violations.push_back(std::move(v));
  }
  if (bound != nullptr) {
    e.bound_index = bound->index;
    e.bound_name = bound->name;
    e.permanent_mac = bound->permanent_mac;
  }
  return e;
}

}  // namespace xiaoan::agent::binding
