#include "agent/scan/safe_path.h"

#include <cerrno>
#include <filesystem>

#include "agent/scan/path_text.h"

namespace xiaoan::agent::scan {
namespace {

// openParentNoFollow's contract: a symlinked, non-directory or escaping component is
// E_PERMISSION_DENIED with ELOOP / ENOTDIR / EXDEV; a plain EACCES stays an access error.
bool isRedirected(const Status& st) {
  const int err = st.sysErrno();
  return st.code() == ErrorCode::kPermissionDenied &&
         (err == ELOOP || err == ENOTDIR || err == EXDEV);
}

}  // namespace

Result<File> openTargetParent(const std::string& path, std::string* name) {
  // The walk refuses ".." (it would leave the tree it checked), but a path an admin typed, made
  // absolute by xiaoanctl, may hold one: it is resolved by the text. With no symlink followed
  // that names the directory the kernel would reach, and never one through a symlink.
  auto dir = openParentNoFollow(std::filesystem::path(path).lexically_normal().string(), name);
  if (dir.isOk()) return dir;
  const Status& st = dir.status();
  const std::string shown = displayPath(path);
  if (st.code() == ErrorCode::kInvalidArgument) {
    return Status(ErrorCode::kInvalidArgument, "not an absolute file path: " + shown);
  }
  if (isRedirected(st)) {
    return Status(ErrorCode::kQuarantine,
                  shown + ": a directory of the path is a symlink or not a directory",
                  st.sysErrno());
  }
  const ErrorCode code = st.code() == ErrorCode::kNotFound ? ErrorCode::kNotFound : ErrorCode::kIo;
  return errnoStatus(code, "open the directory of " + shown, st.sysErrno());
}

}  // namespace xiaoan::agent::scan
