#include "agent/core/bootstrap_config_file.h"

#include <filesystem>

#include "agent/core/bootstrap_config.h"
#include "common/proto_json.h"
#include "platform/file.h"

namespace xiaoan::agent {
namespace {

constexpr unsigned kPrivateMode = 0600;
constexpr unsigned kGroupOtherBits = 0077;

// Replaces `name` in `dir` with `data`, mode 0600, durably (see removeEnrollmentToken).
Status replacePrivately(File& dir, const std::string& name, std::string_view data) {
  const std::string tmp = "." + name + ".tmp";
  Status gone = unlinkAt(dir, tmp);  // left over by an interrupted rewrite
  if (!gone.isOk() && gone.code() != ErrorCode::kNotFound) return gone;
  XIAOAN_ASSIGN_OR_RETURN(File f,
                          dir.openAt(tmp, OpenOptions::write(OpenCreate::kNew, kPrivateMode)));
  Status st = f.setMode(kPrivateMode);  // whatever the umask
  if (st.isOk()) st = f.writeAll(data);
  if (st.isOk()) st = f.sync();
  f.close();
  if (st.isOk()) st = renameAt(dir, tmp, dir, name);
  if (!st.isOk()) {
    (void)unlinkAt(dir, tmp);
    return st;
  }
  return dir.sync();
}

}  // namespace

Result<bool> protectBootstrapConfig(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(File file, File::open(path, OpenOptions::readFollow()));
  XIAOAN_ASSIGN_OR_RETURN(std::string text, file.readAll(kMaxConfigBytes));
  XIAOAN_ASSIGN_OR_RETURN(v1::AgentBootstrapConfig config, parseBootstrapConfig(text));
  if (config.enrollment_token().empty()) return false;
  XIAOAN_ASSIGN_OR_RETURN(FileStat st, file.stat());
  if ((st.mode & kGroupOtherBits) == 0) return false;
  XIAOAN_RETURN_IF_ERROR(file.setMode(kPrivateMode));
  return true;
}

Result<bool> removeEnrollmentToken(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(v1::AgentBootstrapConfig config, readBootstrapConfig(path));
  if (config.enrollment_token().empty()) return false;
  config.clear_enrollment_token();
  XIAOAN_ASSIGN_OR_RETURN(std::string json, toStableJson(config));
  std::string name;
  const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
  XIAOAN_ASSIGN_OR_RETURN(File dir, openParentNoFollow(absolute, &name));
  XIAOAN_ASSIGN_OR_RETURN(FileStat st, statAt(dir, name));
  if (st.isSymlink()) {
    return Status(ErrorCode::kUnsupported,
                  path + " is a symlink: remove enrollment_token from its target by hand");
  }
  XIAOAN_RETURN_IF_ERROR(replacePrivately(dir, name, json));
  return true;
}

}  // namespace xiaoan::agent
