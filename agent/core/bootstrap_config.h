#pragma once

#include <string>
#include <string_view>

#include "agent/core/default_paths.h"
#include "platform/result.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::agent {

// The one size cap of the bootstrap config, for the daemon and xiaoanctl alike.
inline constexpr size_t kMaxConfigBytes = 64 * 1024;
inline constexpr uint64_t kDefaultSpoolMaxBytes = 256ull * 1024 * 1024;
inline constexpr uint32_t kDefaultCheckinSeconds = 60;
inline constexpr uint32_t kDefaultUploadEventsPerSecond = 2000;
inline constexpr uint32_t kDefaultDownloadMinBytesPerSecond = 1024;

// Parses the bootstrap JSON (protobuf JSON mapping; unknown keys are an error).
// E_CONFIG_INVALID with the offending field in the message.
Result<v1::AgentBootstrapConfig> parseBootstrapConfig(std::string_view json);

// Fills unset settings with their defaults.
void applyBootstrapDefaults(v1::AgentBootstrapConfig& config);

// Checks a config with defaults applied: https URL with a host, readable CA bundle holding a
// certificate, absolute paths, ranges. E_CONFIG_INVALID "<field>: <why>" on the first problem.
Status validateBootstrapConfig(const v1::AgentBootstrapConfig& config);

// Reads (at most kMaxConfigBytes) and parses `path`, without defaults or validation: what
// xiaoanctl needs to find the daemon. A file that cannot be read keeps readFile's code
// (E_NOT_FOUND, E_PERMISSION_DENIED, E_IO, E_TOO_LARGE...) with "cannot read <path>: <why>";
// one that does not parse is E_CONFIG_INVALID "<path>: JSON: <why>".
Result<v1::AgentBootstrapConfig> readBootstrapConfig(const std::string& path);

// The daemon's reader: readBootstrapConfig, defaults, validation. Every failure is
// E_CONFIG_INVALID naming the path.
Result<v1::AgentBootstrapConfig> loadBootstrapConfig(const std::string& path);

// Where the collector listens: the host of collector_url (an IPv6 literal without brackets) and
// its port (443 when the URL names none). E_CONFIG_INVALID for a URL the config check refuses.
struct CollectorEndpoint {
  std::string host;
  uint16_t port = 443;
};
Result<CollectorEndpoint> collectorEndpoint(std::string_view url);

}  // namespace xiaoan::agent
