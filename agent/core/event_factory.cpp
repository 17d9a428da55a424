#include "agent/core/event_factory.h"

#include "common/proto_time.h"

namespace xiaoan::agent {

v1::Event EventFactory::make(v1::Priority priority) const {
  v1::Event e;
  *e.mutable_wall_time() = toTimestamp(clock_.now());
  e.set_monotonic_ns(clock_.monotonicNs());
  e.set_boot_id(boot_id_);
  e.set_priority(priority);
  if (agent_id_) e.set_claimed_agent_id(agent_id_());
  return e;
}

}  // namespace xiaoan::agent
