#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "platform/result.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::ctl {

// Where `xiaoanctl status` got its AgentStatus from.
struct StatusLookup {
  // From the daemon (daemon_running = true) or from <state_dir>/status.pb
  // (daemon_running = false); empty when neither was available.
  std::optional<v1::AgentStatus> status;
  // Why the daemon did not answer (OK when it did).
  Status daemon_problem;
  // Why there is no persisted status (OK when there is one or the daemon answered).
  Status persisted_problem;
  // The persisted file that was read or looked for.
  std::string persisted_path;
};

// Asks the daemon; when it is absent or does not answer in time, falls back to the last
// status it persisted. Only failures that are not "the daemon is absent" come back as an
// error: the socket is not accessible (E_PERMISSION_DENIED), the agent answered with an
// error, or it answered something invalid (E_PROTOCOL).
Result<StatusLookup> lookupStatus(const std::string& socket_path, const std::string& state_dir,
                                  std::chrono::milliseconds timeout);

// Reads and validates <state_dir>/status.pb (at most 1 MiB).
Result<v1::AgentStatus> readPersistedStatus(const std::string& path);

// Rejects a status a renderer cannot show faithfully: timestamps outside
// 0001-01-01..9999-12-31 or with bad nanos (E_PROTOCOL).
Status validateStatus(const v1::AgentStatus& status);

}  // namespace xiaoan::ctl
