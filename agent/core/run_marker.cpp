#include "agent/core/run_marker.h"

#include "platform/file_util.h"

namespace xiaoan::agent {

bool RunMarker::previousRunWasClean() const {
  auto text = readFile(path_, 64);
  if (!text.isOk()) return text.status().code() == ErrorCode::kNotFound;
  return *text == "stopped\n";
}

Status RunMarker::markRunning() const { return atomicWriteFile(path_, "running\n", 0644); }

Status RunMarker::markStopped() const { return atomicWriteFile(path_, "stopped\n", 0644); }

}  // namespace xiaoan::agent
