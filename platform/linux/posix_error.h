#pragma once

#include <cerrno>
#include <string>

#include "platform/result.h"

namespace xiaoan {

// The Status for a failed POSIX call: ENOENT -> E_NOT_FOUND, EACCES/EPERM ->
// E_PERMISSION_DENIED, EEXIST -> E_EXISTS, anything else E_IO; "what: strerror", errno kept.
// For platform implementations only.
Status posixStatus(const std::string& what, int err);
inline Status posixStatus(const std::string& what) { return posixStatus(what, errno); }

}  // namespace xiaoan
