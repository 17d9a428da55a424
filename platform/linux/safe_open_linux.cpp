#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "platform/file.h"
#include "platform/linux/posix_error.h"

namespace xiaoan {
namespace {

constexpr int kDirFlags = O_DIRECTORY | O_NOFOLLOW | O_RDONLY | O_CLOEXEC;

Status symlinkInPath(const std::string& path, int err) {
  return Status(ErrorCode::kPermissionDenied,
                path +
                    ": a directory of the path is a symlink, not a directory or outside the "
                    "allowed tree",
                err);
}

// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (Linux 5.6+): -1 with errno ENOSYS
// on older kernels, which then take the component-by-component walk.
int openBeneath(int base, const std::string& rel) {
  open_how how{};
  how.flags = static_cast<uint64_t>(kDirFlags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, base, rel.c_str(), &how, sizeof how));
}

Result<File> walkComponents(File dir, const std::string& rel, const std::string& path) {
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    const std::string part = rel.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return symlinkInPath(path, EXDEV);
    const int fd = ::openat(static_cast<int>(dir.native()), part.c_str(), kDirFlags);
    if (fd < 0) {
      const int err = errno;
      if (err == ELOOP || err == ENOTDIR) return symlinkInPath(path, err);
      return posixStatus("open " + path, err);
    }
    dir = File::adopt(fd);
  }
  return dir;
}

}  // namespace

Result<File> openParentNoFollow(const std::string& path, std::string* name,
                                const std::string& beneath_in) {
  // "/srv/x/" names the same tree as "/srv/x".
  std::string beneath = beneath_in;
  while (beneath.size() > 1 && beneath.back() == '/') beneath.pop_back();
  const size_t last = path.find_last_of('/');
  const bool inside = beneath == "/" || (path.size() > beneath.size() &&
                                         path.compare(0, beneath.size(), beneath) == 0 &&
                                         path[beneath.size()] == '/');
  if (path.empty() || path.front() != '/' || last == path.size() - 1 || beneath.empty() ||
      beneath.front() != '/' || !inside) {
    return Status(ErrorCode::kInvalidArgument, "not an absolute file path below " + beneath);
  }
  *name = path.substr(last + 1);
  if (*name == "." || *name == "..") return Status(ErrorCode::kInvalidArgument, "not a file path");
  // Every component is opened without following symlinks, the part down to `beneath`
  // included: a user who owns a directory on the way could otherwise swap it for a link.
  XIAOAN_ASSIGN_OR_RETURN(File root, File::open("/", OpenOptions::dir()));
  XIAOAN_ASSIGN_OR_RETURN(File base, walkComponents(std::move(root), beneath.substr(1), path));
  const size_t skip = beneath == "/" ? 1 : beneath.size() + 1;
  std::string rel = last > skip ? path.substr(skip, last - skip) : std::string();
  // openat2 takes a leading '/' ("/srv//x/f") as absolute, which RESOLVE_BENEATH refuses.
  rel.erase(0, rel.find_first_not_of('/'));
  if (rel.empty()) return base;
  const int fd = openBeneath(static_cast<int>(base.native()), rel);
  if (fd >= 0) return File::adopt(fd);
  const int err = errno;
  if (err == ELOOP || err == ENOTDIR || err == EXDEV) return symlinkInPath(path, err);
  if (err != ENOSYS && err != EPERM) return posixStatus("open " + path, err);
  return walkComponents(std::move(base), rel, path);  // kernel without openat2 (or seccomp)
}

}  // namespace xiaoan
