#include "agent/binding/binding_decision.h"

namespace xiaoan::agent::binding {

BindingDecision decide(const BindingSituation& s) {
  BindingDecision d;
  const bool isolate_mode = s.enabled && s.mode == v1::BINDING_MODE_ISOLATE;
  const bool acts = s.enabled && (s.mode == v1::BINDING_MODE_RESTORE || isolate_mode);
  if (!s.violating || !isolate_mode) d.leave = s.isolated;
  if (!s.violating || !acts) return d;
  if (s.in_violation < s.grace) {
    d.wait_for = s.grace - s.in_violation;
    return d;
  }
  // In restore mode a fight only gets reported; in isolate mode it ends in isolation instead.
  d.restore = s.restorable && !(isolate_mode && s.fighting);
  d.isolate = isolate_mode && !s.isolated && (s.unrestorable || s.restore_failed || s.fighting);
  return d;
}

}  // namespace xiaoan::agent::binding
