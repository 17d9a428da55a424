#pragma once

#include <string>

#include "platform/result.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::ctl {

// The agent's bootstrap config, read by the agent's own reader (agent::readBootstrapConfig:
// same size cap, strict JSON) with the agent's defaults applied, not validated. xiaoanctl only
// needs it to find the socket and the state directory, so a missing or unreadable file
// (ordinary users often cannot read it) yields the defaults; a file that is there but does not
// parse is E_CONFIG_INVALID, as it is for the agent.
Result<v1::AgentBootstrapConfig> agentConfigOrDefaults(const std::string& path);

}  // namespace xiaoan::ctl
