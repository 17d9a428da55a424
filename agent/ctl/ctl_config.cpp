#include "agent/ctl/ctl_config.h"

#include "agent/core/bootstrap_config.h"

namespace xiaoan::ctl {
namespace {

Result<v1::AgentBootstrapConfig> readOrEmpty(const std::string& path) {
  auto config = agent::readBootstrapConfig(path);
  if (config.isOk()) return config;
  switch (config.status().code()) {
    case ErrorCode::kNotFound:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kIo:
      return v1::AgentBootstrapConfig();
    case ErrorCode::kConfigInvalid:
      return config.status();
    default:  // e.g. larger than the agent accepts
      return Status(ErrorCode::kConfigInvalid, config.status().message());
  }
}

}  // namespace

Result<v1::AgentBootstrapConfig> agentConfigOrDefaults(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(v1::AgentBootstrapConfig config, readOrEmpty(path));
  agent::applyBootstrapDefaults(config);
  return config;
}

}  // namespace xiaoan::ctl
