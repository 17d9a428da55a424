#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "platform/isolation.h"
#include "platform/network_config.h"
#include "tests/fakes/fake_network_info.h"

namespace xiaoan::testing {

// NetworkConfig that changes a FakeNetworkInfo the way the kernel would, and records each call
// ("add 2 10.1.2.37/24", "route 2 10.1.2.1", "persist NetworkManager eth0 10.1.2.37/24",
// "dns 10.1.0.53"). `fail` makes every change fail with it.
class FakeNetworkConfig final : public NetworkConfig {
 public:
  explicit FakeNetworkConfig(FakeNetworkInfo& net) : net_(net) {}

  Status addAddress(uint32_t index, const std::string& cidr) override {
    calls.push_back("add " + std::to_string(index) + " " + cidr);
    if (!fail.isOk()) return fail;
    Status st;
    net_.change([&](NetworkSnapshot& s) {
      for (auto& i : s.interfaces) {
        if (i.index != index) continue;
        if (std::find(i.ipv4.begin(), i.ipv4.end(), cidr) != i.ipv4.end())
          st = Status(ErrorCode::kExists, "exists");
        else
          i.ipv4.push_back(cidr);
      }
    });
    return st;
  }
  Status removeAddress(uint32_t index, const std::string& cidr) override {
    calls.push_back("remove " + std::to_string(index) + " " + cidr);
    if (!fail.isOk()) return fail;
    net_.change([&](NetworkSnapshot& s) {
      for (auto& i : s.interfaces)
        if (i.index == index) std::erase(i.ipv4, cidr);
    });
    return Status::ok();
  }
  Status replaceDefaultRoute(uint32_t index, const std::string& gateway) override {
    calls.push_back("route " + std::to_string(index) + " " + gateway);
    if (!fail.isOk()) return fail;
    net_.change([&](NetworkSnapshot& s) {
      s.gateway = gateway;
      s.gateway_index = index;
    });
    return Status::ok();
  }
  NetworkOwner ownerOf(const std::string&, uint32_t) const override { return owner; }
  Status persist(NetworkOwner o, const Ipv4Assignment& a) override {
    calls.push_back(std::string("persist ") + networkOwnerName(o) + " " + a.interface + " " +
                    a.cidr);
    if (!fail.isOk()) return fail;
    net_.change([&](NetworkSnapshot& s) { s.dns = a.dns; });
    return Status::ok();
  }
  Status setDnsServers(const std::vector<std::string>& servers) override {
    std::string list;
    for (const auto& d : servers) list += " " + d;
    calls.push_back("dns" + list);
    if (!dns_fail.isOk()) return dns_fail;
    net_.change([&](NetworkSnapshot& s) { s.dns = servers; });
    return Status::ok();
  }

  std::vector<std::string> calls;
  NetworkOwner owner = NetworkOwner::kNone;
  Status fail, dns_fail;

 private:
  FakeNetworkInfo& net_;
};

// Isolation that remembers whether it is in place and the rules it got.
class FakeIsolation final : public Isolation {
 public:
  Status enter(const IsolationRules& r) override {
    ++enters;
    if (!fail.isOk()) return fail;
    rules = r;
    active = true;
    return Status::ok();
  }
  Status leave() override {
    ++leaves;
    active = false;
    return Status::ok();
  }
  Result<bool> isActive() const override { return active; }

  bool active = false;
  int enters = 0, leaves = 0;
  IsolationRules rules;
  Status fail;
};

}  // namespace xiaoan::testing
