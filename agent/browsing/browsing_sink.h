#pragma once

#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent::browsing {

// Where browsing events go (the agent's spool). `payload` carries only the payload; the sink
// adds the envelope (id, time, agent, priority). A failed append is returned, and the reader
// then keeps its cursor where it was so the visits are read again at the next poll.
class BrowsingSink {
 public:
  virtual ~BrowsingSink() = default;
  virtual Status append(v1::Event payload, v1::Priority priority) = 0;
};

}  // namespace xiaoan::agent::browsing
