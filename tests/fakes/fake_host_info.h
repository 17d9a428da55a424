#pragma once

#include "platform/host_info.h"
#include "tests/fakes/fake_network_info.h"

namespace xiaoan::testing {

// A lab PC with one wired interface; tests change `facts` to model other machines.
class FakeHostInfo final : public HostInfo {
 public:
  FakeHostInfo() {
    facts.hostname = "lab1-pc07";
    facts.interfaces.push_back(nic("lo", "", {"127.0.0.1/8"}, 1));
    facts.interfaces.push_back(nic("eth0", "52:54:00:12:34:56", {"10.1.2.37/24"}, 2));
    facts.gateway = "10.1.2.1";
    facts.dns = {"10.1.0.53"};
    facts.machine_id = "0123456789abcdef";
    facts.boot_id = "boot-1";
  }
  Result<HostFactsData> collect() const override { return facts; }

  HostFactsData facts;
};

}  // namespace xiaoan::testing
