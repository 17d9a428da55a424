#pragma once

#include <string>

#include "platform/result.h"
#include "platform/unique_fd.h"

// Root acting on a path in a directory a user controls (quarantine moves files out of
// Downloads and /tmp, restore writes them back) must not be redirected by a symlink swapped in
// for a directory of the path meanwhile (e.g. ~/Downloads -> /etc just before the unlink).
// The directory is opened component by component with O_NOFOLLOW, and every later step works
// relative to that descriptor (openat, unlinkat, renameat2).

namespace xiaoan::agent::scan {

// The directory holding absolute `path`, no component a symlink; *name gets the last
// component. E_QUARANTINE when a component is a symlink or not a directory, E_NOT_FOUND /
// E_IO otherwise.
Result<UniqueFd> openParentNoFollow(const std::string& path, std::string* name);

}  // namespace xiaoan::agent::scan
