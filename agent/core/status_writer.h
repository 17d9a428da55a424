#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "agent/core/status_model.h"
#include "agent/core/wake_signal.h"
#include "platform/result.h"

namespace xiaoan::agent {

// Loads the status a previous run left behind (E_NOT_FOUND when there is none; a corrupt file
// is E_PROTOCOL and must not stop the agent).
Result<v1::AgentStatus> loadPersistedStatus(const std::string& path);

// Keeps <state_dir>/status.pb (mode 0644, atomic replace) current so that xiaoanctl can show
// the last state when the daemon is down: checks every `period` and writes only when
// something other than generated_at changed, so never more often than every `period`.
class StatusWriter {
 public:
  StatusWriter(const StatusModel& model, std::string path,
               std::chrono::milliseconds period = std::chrono::seconds(2));
  ~StatusWriter();
  StatusWriter(const StatusWriter&) = delete;
  StatusWriter& operator=(const StatusWriter&) = delete;

  void start();
  // Stops the thread and writes the final copy (daemon_running = false).
  void stopAndWriteFinal();
  // Writes now if changed (true) — also used by tests.
  Status writeIfChanged(bool daemon_running = true);

 private:
  void run();
  const StatusModel& model_;
  const std::string path_;
  const std::chrono::milliseconds period_;
  WakeSignal wake_;
  std::string last_written_;  // serialized without generated_at
  std::thread thread_;
};

}  // namespace xiaoan::agent
