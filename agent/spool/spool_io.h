#pragma once

#include <string>

#include "platform/result.h"

namespace xiaoan::agent {

// A failed spool file operation is E_IO whatever the OS said (a segment that vanished is
// damage, not a "not found" for the caller); the OS error number stays in sysErrno, where
// FileSpool looks for ENOSPC/EDQUOT/EIO to decide on dropping activity and retrying.
inline Status spoolIoError(const std::string& what, const Status& cause) {
  return Status(ErrorCode::kIo, what + ": " + cause.message(), cause.sysErrno());
}

}  // namespace xiaoan::agent
