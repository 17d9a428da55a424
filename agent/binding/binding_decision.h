#pragma once

#include <chrono>

#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::binding {

// What the binding service should do after a check. Pure.
struct BindingSituation {
  v1::BindingMode mode = v1::BINDING_MODE_REPORT;  // UNSPECIFIED counts as REPORT
  bool enabled = false;
  bool violating = false;     // at least one violation now
  bool restorable = false;    // at least one of them is fixed by a restore (IP, gateway, DNS)
  bool unrestorable = false;  // at least one is not (MAC changed, NIC replaced, conflict)
  std::chrono::seconds in_violation{0};  // since the oldest current violation was first seen
  std::chrono::seconds grace{30};
  bool isolated = false;        // the isolation table is in place
  bool restore_failed = false;  // the last restore in this episode did not take
  bool fighting = false;        // something keeps undoing restores (restore fights reached)
};

struct BindingDecision {
  bool restore = false;  // put the assignment back now
  bool isolate = false;  // put the isolation in place now (after a restore attempt, if any)
  bool leave = false;    // remove the isolation now
  // When nothing is due yet: how long until the grace period ends (0 = nothing pending).
  std::chrono::seconds wait_for{0};
};

// REPORT never acts; RESTORE restores restorable violations once the grace period is over;
// ISOLATE does the same and isolates when, after the grace period, the violation cannot be
// restored (MAC changed, NIC replaced, conflict), the restore failed or keeps being undone.
// The isolation is left as soon as there is no violation, binding is off or the mode is not
// ISOLATE.
BindingDecision decide(const BindingSituation& s);

}  // namespace xiaoan::agent::binding
