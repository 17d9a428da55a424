#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/network_info.h"
#include "xiaoan/v1/network.pb.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::binding {

// Another host answering for an address (ARP probe or passive watch).
struct ArpConflict {
  std::string ip;         // "10.1.2.3"
  std::string other_mac;  // "aa:bb:cc:dd:ee:ff"
};

// What the evaluator is told besides the snapshot and the policy.
struct Observations {
  std::vector<ArpConflict> conflicts;
  // Interface index bound at the previous check (0 = none): when no interface shows the
  // assigned MAC any more but this one still exists, its MAC was changed (a NIC without a
  // permanent MAC, e.g. virtual), rather than the NIC replaced.
  uint32_t previous_bound_index = 0;
};

struct Evaluation {
  std::vector<v1::Violation> violations;  // in a stable order; `since` unset
  // The interface the assignment applies to (0 / empty: none found).
  uint32_t bound_index = 0;
  std::string bound_name;
  std::string permanent_mac;  // of the bound interface, when the OS knows it
};

// Decides which binding violations the network configuration shows. Pure: no OS, no clock.
//  - The bound interface has policy.mac as its current or permanent MAC (loopback never); with
//    no mac in the policy it is the interface of the default route, else the one carrying the
//    assigned address, else the only non-loopback interface.
//  - MAC_CHANGED: the bound interface's permanent MAC is the assigned one but its current MAC
//    is not (spoofed); its current MAC is the assigned one but its permanent MAC is another
//    (cloned); or the interface bound before now has another MAC.
//  - NIC_REPLACED: no interface has the assigned MAC at all (IP checks then use the fallback
//    interface of the no-mac rule).
//  - WRONG_IP: the assigned address/prefix is not on the bound interface; EXTRA_IP: other IPv4
//    addresses are; WRONG_GATEWAY: the default route's gateway differs or leaves by another
//    interface; WRONG_DNS (only when dns is set): the servers differ (order counts);
//    IP_CONFLICT: an ARP conflict for the assigned address.
// Disabled binding (enabled unset or false) yields nothing.
Evaluation evaluateBinding(const NetworkSnapshot& net, const v1::BindingPolicy& policy,
                           const Observations& seen);

// "10.1.2.3" of "10.1.2.3/24" (the text before '/').
std::string addressOf(const std::string& cidr);

// A stable identity of a violation within an episode: kind, interface and expected value.
std::string violationKey(const v1::Violation& v);

}  // namespace xiaoan::agent::binding
