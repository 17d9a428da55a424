#pragma once

#include <string>

#include "platform/result.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::ctl {

// Reads the agent's bootstrap config the way the agent does (protobuf JSON, unknown fields
// rejected) -> E_CONFIG_INVALID with the parser's reason. xiaoanctl only needs it to find the
// socket and the state directory, so a missing or unreadable file (ordinary users often
// cannot read it) yields an empty config, i.e. the defaults.
Result<v1::AgentBootstrapConfig> readBootstrapConfig(const std::string& path);

}  // namespace xiaoan::ctl
