#include "platform/result.h"

#include <cerrno>
#include <cstring>

namespace xiaoan {

std::string Status::toString() const {
  std::string out(errorCodeName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

Status errnoStatus(ErrorCode code, const std::string& what) {
  return errnoStatus(code, what, errno);
}

Status errnoStatus(ErrorCode code, const std::string& what, int err) {
  return Status(code, what + ": " + std::strerror(err), err);
}

}  // namespace xiaoan
