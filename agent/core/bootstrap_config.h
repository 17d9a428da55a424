#pragma once

#include <string>
#include <string_view>

#include "platform/result.h"
#include "xiaoan/v1/config.pb.h"

namespace xiaoan::agent {

inline constexpr size_t kMaxConfigBytes = 64 * 1024;
inline constexpr const char* kDefaultStateDir = "/var/lib/xiaoan";
inline constexpr const char* kDefaultStatusSocket = "/run/xiaoan/agent.sock";
inline constexpr uint64_t kDefaultSpoolMaxBytes = 256ull * 1024 * 1024;
inline constexpr uint32_t kDefaultCheckinSeconds = 60;
inline constexpr uint32_t kDefaultUploadEventsPerSecond = 2000;
inline constexpr uint32_t kDefaultDownloadMinBytesPerSecond = 1024;
inline constexpr const char* kDefaultBuiltinSignaturesDir = "/usr/share/xiaoan/signatures";
// trust_root defaults to this file in the CA bundle's directory.
inline constexpr const char* kDefaultTrustRootName = "root.pb";

// Parses the bootstrap JSON (protobuf JSON mapping; unknown keys are an error).
// E_CONFIG_INVALID with the offending field in the message.
Result<v1::AgentBootstrapConfig> parseBootstrapConfig(std::string_view json);

// Fills unset settings with their defaults.
void applyBootstrapDefaults(v1::AgentBootstrapConfig& config);

// Checks a config with defaults applied: https URL with a host, readable CA bundle holding a
// certificate, absolute paths, ranges. E_CONFIG_INVALID "<field>: <why>" on the first problem.
Status validateBootstrapConfig(const v1::AgentBootstrapConfig& config);

// Reads (at most kMaxConfigBytes), parses, applies defaults and validates `path`.
Result<v1::AgentBootstrapConfig> loadBootstrapConfig(const std::string& path);

}  // namespace xiaoan::agent
