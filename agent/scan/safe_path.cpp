#include "agent/scan/safe_path.h"

#include <fcntl.h>

#include <cerrno>

#include "agent/scan/path_text.h"

namespace xiaoan::agent::scan {

Result<UniqueFd> openParentNoFollow(const std::string& path, std::string* name) {
  const size_t last = path.find_last_of('/');
  if (path.empty() || path.front() != '/' || last == path.size() - 1) {
    return Status(ErrorCode::kInvalidArgument, "not an absolute file path: " + displayPath(path));
  }
  UniqueFd dir(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!dir.valid()) return errnoStatus(ErrorCode::kIo, "open /");
  size_t pos = 1;
  while (pos < last) {
    const size_t end = path.find('/', pos);
    const std::string part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    UniqueFd next(
        ::openat(dir.get(), part.c_str(), O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC));
    if (!next.valid()) {
      const int err = errno;
      if (err == ELOOP || err == ENOTDIR) {
        return Status(
            ErrorCode::kQuarantine,
            displayPath(path) + ": a directory of the path is a symlink or not a directory");
      }
      return errnoStatus(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                         "open " + displayPath(path.substr(0, end)), err);
    }
    dir = std::move(next);
  }
  *name = path.substr(last + 1);
  return dir;
}

}  // namespace xiaoan::agent::scan
