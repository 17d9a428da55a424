#pragma once

#include <string>

#include "agent/binding/binding_evaluator.h"
#include "platform/network_config.h"

namespace xiaoan::agent::binding {

struct RestoreOutcome {
  std::string action;  // "restore address, gateway via netlink + NetworkManager", ...
  Status status;       // the first failure; OK when everything was put back
};

// Puts the policy's assignment back on the bound interface for the violations found: extra
// addresses removed and the assigned one added, the default route replaced, at once through
// netlink; then written into the configuration of the network manager that owns the interface
// (so it survives a reboot), or for DNS into resolv.conf when none does.
RestoreOutcome restoreAssignment(NetworkConfig& config, const NetworkSnapshot& net,
                                 const Evaluation& found, const v1::BindingPolicy& policy);

// Whether a restore can fix this kind (IP, extra IP, gateway, DNS).
bool isRestorable(v1::ViolationKind kind);

}  // namespace xiaoan::agent::binding
