#include "agent/binding/binding_restorer.h"

#include <algorithm>

namespace xiaoan::agent::binding {
namespace {

bool has(const Evaluation& e, v1::ViolationKind kind) {
  return std::any_of(e.violations.begin(), e.violations.end(),
                     [&](const v1::Violation& v) { return v.kind() == kind; });
}

void keepFirst(Status& first, Status st) {
  if (first.isOk() && !st.isOk()) first = std::move(st);
}

// The bound interface's addresses made exactly the assigned one: the others removed, then the
// assigned one added.
Status restoreAddresses(NetworkConfig& config, const InterfaceFacts& itf, const std::string& cidr) {
  Status first;
  for (const auto& a : itf.ipv4)
    if (a != cidr) keepFirst(first, config.removeAddress(itf.index, a));
  // Added after the removals, and even when it was there: removing a primary address takes the
  // secondaries of its subnet with it (unless promote_secondaries is set).
  Status st = config.addAddress(itf.index, cidr);
  if (st.code() != ErrorCode::kExists) keepFirst(first, st);
  return first;
}

}  // namespace

bool isRestorable(v1::ViolationKind kind) {
  return kind == v1::VIOLATION_KIND_WRONG_IP || kind == v1::VIOLATION_KIND_EXTRA_IP ||
         kind == v1::VIOLATION_KIND_WRONG_GATEWAY || kind == v1::VIOLATION_KIND_WRONG_DNS;
}

RestoreOutcome restoreAssignment(NetworkConfig& config, const NetworkSnapshot& net,
                                 const Evaluation& found, const v1::BindingPolicy& p) {
  RestoreOutcome out;
  auto it = std::find_if(net.interfaces.begin(), net.interfaces.end(),
                         [&](const InterfaceFacts& f) { return f.index == found.bound_index; });
  if (found.bound_index == 0 || it == net.interfaces.end()) {
    out.action = "restore";
    out.status = Status(ErrorCode::kNotFound, "no interface to put the assignment on");
    return out;
  }
  std::vector<std::string> what;
  if (p.has_ipv4() &&
      (has(found, v1::VIOLATION_KIND_WRONG_IP) || has(found, v1::VIOLATION_KIND_EXTRA_IP))) {
    what.push_back("address");
    keepFirst(out.status, restoreAddresses(config, *it, p.ipv4()));
  }
  if (p.has_gateway() && has(found, v1::VIOLATION_KIND_WRONG_GATEWAY)) {
    what.push_back("gateway");
    keepFirst(out.status, config.replaceDefaultRoute(it->index, p.gateway()));
  }
  const bool dns = p.dns_size() > 0 && has(found, v1::VIOLATION_KIND_WRONG_DNS);
  if (dns) what.push_back("dns");
  const NetworkOwner owner = config.ownerOf(it->name, it->index);
  std::string via = "netlink";
  if (owner != NetworkOwner::kNone && p.has_ipv4()) {
    Ipv4Assignment a{it->name, it->index,   it->mac,
                     p.ipv4(), p.gateway(), {p.dns().begin(), p.dns().end()}};
    via += std::string(" + ") + networkOwnerName(owner);
    keepFirst(out.status, config.persist(owner, a));
  }
  // NetworkManager and networkd write the resolver configuration themselves; ifupdown only
  // through resolvconf, which may be absent.
  const bool resolver_managed =
      owner == NetworkOwner::kNetworkManager || owner == NetworkOwner::kNetworkd;
  if (dns && !(resolver_managed && p.has_ipv4())) {
    via += " + resolv.conf";
    keepFirst(out.status, config.setDnsServers({p.dns().begin(), p.dns().end()}));
  }
  std::string list;
  for (const auto& w : what) list += (list.empty() ? "" : ", ") + w;
  out.action = "restore " + list + " on " + it->name + " via " + via;
  return out;
}

}  // namespace xiaoan::agent::binding
