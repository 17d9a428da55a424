#include "agent/ctl/ctl_config.h"

#include <google/protobuf/util/json_util.h>

#include "platform/file_util.h"

namespace xiaoan::ctl {
namespace {

constexpr size_t kMaxConfigBytes = 1024 * 1024;

}  // namespace

Result<v1::AgentBootstrapConfig> readBootstrapConfig(const std::string& path) {
  auto text = readFile(path, kMaxConfigBytes);
  if (!text.isOk()) {
    switch (text.status().code()) {
      case ErrorCode::kNotFound:
      case ErrorCode::kPermissionDenied:
      case ErrorCode::kIo:
        return v1::AgentBootstrapConfig();
      default:
        return Status(ErrorCode::kConfigInvalid, path + ": " + text.status().message());
    }
  }
  v1::AgentBootstrapConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(*text, &config, options);
  if (!st.ok()) {
    return Status(ErrorCode::kConfigInvalid, path + ": " + std::string(st.message()));
  }
  return config;
}

}  // namespace xiaoan::ctl
