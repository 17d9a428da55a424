#pragma once

#include <string>

#include "platform/result.h"

namespace xiaoan::agent {

// <state_dir>/run-state says "running" while the daemon runs and "stopped" after a clean stop,
// so that the next start knows whether the previous one ended uncleanly (crash, kill -9,
// power loss) and says so with a RECOVERED_UNCLEAN lifecycle event.
class RunMarker {
 public:
  explicit RunMarker(const std::string& state_dir) : path_(state_dir + "/run-state") {}
  // True when the previous run stopped cleanly or there was none.
  bool previousRunWasClean() const;
  Status markRunning() const;
  Status markStopped() const;

 private:
  std::string path_;
};

}  // namespace xiaoan::agent
