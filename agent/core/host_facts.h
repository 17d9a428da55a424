#pragma once

#include "platform/host_info.h"
#include "xiaoan/v1/common.pb.h"

namespace xiaoan::agent {

// The wire form of the host facts (loopback interfaces left out: they identify nothing).
v1::HostFacts toHostFactsProto(const HostFactsData& data);

// Collects facts; on failure returns what little is known (hostname may be empty) so that a
// check-in still goes out, and logs why.
v1::HostFacts collectHostFacts(const HostInfo& host_info);

}  // namespace xiaoan::agent
