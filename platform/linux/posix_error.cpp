#include "platform/linux/posix_error.h"

namespace xiaoan {

Status posixStatus(const std::string& what, int err) {
  ErrorCode code = ErrorCode::kIo;
  if (err == ENOENT) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermissionDenied;
  if (err == EEXIST) code = ErrorCode::kExists;
  return errnoStatus(code, what, err);
}

}  // namespace xiaoan
