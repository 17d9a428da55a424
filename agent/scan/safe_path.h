#pragma once

#include <string>

#include "platform/file.h"
#include "platform/result.h"

// Root acting on a path in a directory a user controls (quarantine moves files out of
// Downloads and /tmp, restore writes them back) must not be redirected by a symlink swapped in
// for a directory of the path meanwhile (e.g. ~/Downloads -> /etc just before the unlink).
// The walk itself is platform/file.h openParentNoFollow (no symlink followed, nothing outside
// the tree); every later step works relative to the directory it returns (openAt, unlinkAt,
// renameAt). This wrapper only words its errors for the quarantine.

namespace xiaoan::agent::scan {

// The directory holding absolute `path` ("." and ".." resolved by the text), no component a
// symlink; *name gets the last component. E_QUARANTINE when a component is a symlink or not a
// directory, E_INVALID_ARGUMENT for a path that is not an absolute file path, E_NOT_FOUND / E_IO
// otherwise. Messages show the path in display form (path_text.h), never its raw bytes.
Result<File> openTargetParent(const std::string& path, std::string* name);

}  // namespace xiaoan::agent::scan
