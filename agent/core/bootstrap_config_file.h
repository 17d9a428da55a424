#pragma once

#include <string>

#include "platform/result.h"

namespace xiaoan::agent {

// The enrollment token in the bootstrap config is a school-wide secret: whoever holds it can
// enroll as a PC of that school (issue 10, RELIABILITY.md X3). So the daemon keeps the file that
// holds it readable by its owner only, and takes the token out of it once enrolled.

// When the config at `path` holds an enrollment token and its mode gives the group or others
// any access, sets the mode to 0600 on the open file (a rename in between cannot redirect it)
// and returns true: the caller warns, since the token may have been read already. False when
// nothing had to change. Errors: E_NOT_FOUND, E_PERMISSION_DENIED, E_IO (cannot open, read or
// chmod), E_CONFIG_INVALID (does not parse); the daemon does not start on a file it cannot
// protect.
Result<bool> protectBootstrapConfig(const std::string& path);

// Rewrites the config at `path` without its enrollment token, atomically and durably: a 0600
// temp file in the same directory, fsync, rename over the config, fsync of the directory; no
// path component is followed as a symlink. Call it only once the identity is durably stored.
// Returns whether a token was removed (false: there was none). A config that is itself a
// symlink is E_UNSUPPORTED (replacing the link would leave the token in its target); other
// errors are readBootstrapConfig's and the file layer's.
Result<bool> removeEnrollmentToken(const std::string& path);

}  // namespace xiaoan::agent
