#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace xiaoan {

// The components that log, each with its own named logger ("agent.spool"). Looked up by
// index: no string map and no lock on the logging path.
enum class LogComponent {
  kAgentCore,
  kAgentMain,
  kAgentCheckin,
  kAgentUpload,
  kAgentIdentity,
  kAgentStatus,
  kAgentControl,
  kAgentSpool,
  kAgentContent,
  kAgentScan,
  kSignatures,
  kCollector,
  kCollectorHttp,
  kCollectorIngest,
  kCollectorAgentApi,
  kCollectorAdminApi,
  kCollectorEnroll,
  kCollectorContent,
  kCollectorSignatures,
  kCollectorProtobuf,
  kCount,  // not a component
};

// "agent.spool", ... (the logger's name in every line).
std::string_view logComponentName(LogComponent component);

// The component's logger, writing to stderr (systemd/journald captures it). Diagnostics only:
// security and telemetry records are events that go through the spool.
const std::shared_ptr<spdlog::logger>& componentLogger(LogComponent component);

// Sets the level of all component loggers: "trace".."error"; false when unknown.
bool setLogLevel(const std::string& level);

}  // namespace xiaoan
