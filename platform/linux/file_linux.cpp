#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "platform/file.h"
#include "platform/linux/posix_error.h"

namespace xiaoan {
namespace {

int fdOf(const File& f) { return static_cast<int>(f.native()); }

int openFlags(const OpenOptions& o) {
  int flags = O_CLOEXEC;
  switch (o.access) {
    case OpenAccess::kRead:
      flags |= O_RDONLY;
      break;
    case OpenAccess::kWrite:
      flags |= O_WRONLY;
      break;
    case OpenAccess::kReadWrite:
      flags |= O_RDWR;
      break;
  }
  switch (o.create) {
    case OpenCreate::kExisting:
      break;
    case OpenCreate::kCreate:
      flags |= O_CREAT;
      break;
    case OpenCreate::kNew:
      flags |= O_CREAT | O_EXCL;
      break;
    case OpenCreate::kTruncate:
      flags |= O_CREAT | O_TRUNC;
      break;
  }
  if (!o.follow_symlink) flags |= O_NOFOLLOW;
  if (o.directory) flags |= O_DIRECTORY;
  if (o.no_ctty) flags |= O_NOCTTY;
  if (o.non_blocking) flags |= O_NONBLOCK;
  return flags;
}

FileStat fromStat(const struct stat& st) {
  FileStat s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = static_cast<uint64_t>(st.st_size);
  s.nlink = st.st_nlink;
  s.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
  s.uid = st.st_uid;
  s.gid = st.st_gid;
  s.mode = st.st_mode;
  return s;
}

bool isOneName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

Status badName(const std::string& name) {
  return Status(ErrorCode::kInvalidArgument, "not a single file name: '" + name + "'");
}

Result<std::vector<std::string>> readEntries(int fd, const std::string& what) {
  // fdopendir takes over the descriptor: give it a duplicate so the caller's stays open.
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return posixStatus("list " + what);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::fdopendir(dup), ::closedir);
  if (!d) {
    const int err = errno;
    ::close(dup);
    return posixStatus("list " + what, err);
  }
  ::rewinddir(d.get());
  std::vector<std::string> out;
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) break;
    const std::string_view n(e->d_name);
    if (n != "." && n != "..") out.emplace_back(n);
  }
  if (errno != 0) return posixStatus("list " + what);
  return out;
}

}  // namespace

File::~File() { close(); }

File::File(File&& other) noexcept : handle_(other.handle_) { other.handle_ = kInvalidHandle; }

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    close();
    handle_ = other.handle_;
    other.handle_ = kInvalidHandle;
  }
  return *this;
}

void File::close() {
  if (handle_ != kInvalidHandle) ::close(static_cast<int>(handle_));
  handle_ = kInvalidHandle;
}

Result<File> File::open(const std::string& path, const OpenOptions& options) {
  const int fd = ::open(path.c_str(), openFlags(options), options.mode);
  if (fd < 0) return posixStatus("open " + path);
  return File(fd);
}

Result<File> File::openAt(const std::string& name, const OpenOptions& options) const {
  if (!isOneName(name)) return badName(name);
  const int fd = ::openat(fdOf(*this), name.c_str(), openFlags(options), options.mode);
  if (fd < 0) return posixStatus("open " + name);
  return File(fd);
}

Result<size_t> File::read(void* buf, size_t n) {
  for (;;) {
    const ssize_t got = ::read(fdOf(*this), buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return posixStatus("read");
  }
}

Result<size_t> File::readAt(void* buf, size_t n, uint64_t offset) const {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fdOf(*this), static_cast<char*>(buf) + done, n - done,
                                static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return posixStatus("read at " + std::to_string(offset + done));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

Result<std::string> File::readAll(size_t max_bytes) {
  std::string out;
  char buf[65536];
  for (uint64_t off = 0;;) {
    XIAOAN_ASSIGN_OR_RETURN(size_t n, readAt(buf, sizeof buf, off));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return Status(ErrorCode::kTooLarge, "larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, n);
    off += n;
  }
  return out;
}

Status File::writeAll(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fdOf(*this), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return posixStatus("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

Status File::writeAllAt(std::string_view data, uint64_t offset) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fdOf(*this), data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return posixStatus("write at " + std::to_string(offset));
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Result<uint64_t> File::seekEnd() {
  const off_t pos = ::lseek(fdOf(*this), 0, SEEK_END);
  if (pos < 0) return posixStatus("seek");
  return static_cast<uint64_t>(pos);
}

Status File::rewind() {
  if (::lseek(fdOf(*this), 0, SEEK_SET) != 0) return posixStatus("seek");
  return Status::ok();
}

Status File::sync() {
  if (::fsync(fdOf(*this)) != 0) return posixStatus("fsync");
  return Status::ok();
}

Status File::dataSync() {
  if (::fdatasync(fdOf(*this)) != 0) return posixStatus("fdatasync");
  return Status::ok();
}

Status File::truncate(uint64_t size) {
  if (::ftruncate(fdOf(*this), static_cast<off_t>(size)) != 0) return posixStatus("truncate");
  return Status::ok();
}

Result<FileStat> File::stat() const {
  struct stat st {};
  if (::fstat(fdOf(*this), &st) != 0) return posixStatus("fstat");
  return fromStat(st);
}

Status File::setMode(unsigned mode) {
  if (::fchmod(fdOf(*this), mode) != 0) return posixStatus("chmod");
  return Status::ok();
}

Status File::setOwner(uint32_t uid, uint32_t gid) {
  if (::fchown(fdOf(*this), uid, gid) != 0) return posixStatus("chown");
  return Status::ok();
}

Status File::setModificationTime(int64_t mtime_ns) {
  // tv_nsec must be in [0, 1e9): round a time before 1970 down, not toward zero.
  int64_t sec = mtime_ns / 1'000'000'000;
  int64_t nsec = mtime_ns % 1'000'000'000;
  if (nsec < 0) {
    sec -= 1;
    nsec += 1'000'000'000;
  }
  const timespec times[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(sec), static_cast<long>(nsec)}};
  if (::futimens(fdOf(*this), times) != 0) return posixStatus("set mtime");
  return Status::ok();
}

Status File::tryLockExclusive() {
  int rc = 0;
  do {
    rc = ::flock(fdOf(*this), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return Status::ok();
  const int err = errno;
  if (err == EWOULDBLOCK) {
    return Status(ErrorCode::kAlreadyRunning, "locked by another process", err);
  }
  return posixStatus("lock", err);
}

Result<FileStat> statAt(const File& dir, const std::string& name) {
  if (!isOneName(name)) return badName(name);
  struct stat st {};
  if (::fstatat(fdOf(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return posixStatus("stat " + name);
  }
  return fromStat(st);
}

Status unlinkAt(const File& dir, const std::string& name, bool directory) {
  if (!isOneName(name)) return badName(name);
  if (::unlinkat(fdOf(dir), name.c_str(), directory ? AT_REMOVEDIR : 0) != 0) {
    return posixStatus("remove " + name);
  }
  return Status::ok();
}

Status renameAt(const File& from_dir, const std::string& from, const File& to_dir,
                const std::string& to, RenameMode mode) {
  if (!isOneName(from)) return badName(from);
  if (!isOneName(to)) return badName(to);
  const unsigned flags = mode == RenameMode::kNoReplace ? RENAME_NOREPLACE : 0;
  if (::renameat2(fdOf(from_dir), from.c_str(), fdOf(to_dir), to.c_str(), flags) == 0) {
    return Status::ok();
  }
  const int err = errno;
  if ((err == EINVAL || err == ENOSYS) && flags != 0) {  // file system, or kernel < 3.15
    return Status(ErrorCode::kUnsupported, "rename without replacing: not supported here", err);
  }
  return posixStatus("rename " + from + " to " + to, err);
}

Status linkAt(const File& from_dir, const std::string& from, const File& to_dir,
              const std::string& to) {
  if (!isOneName(from)) return badName(from);
  if (!isOneName(to)) return badName(to);
  if (::linkat(fdOf(from_dir), from.c_str(), fdOf(to_dir), to.c_str(), 0) != 0) {
    return posixStatus("link " + from + " to " + to);
  }
  return Status::ok();
}

Result<std::vector<std::string>> listDir(const File& dir) { return readEntries(fdOf(dir), "dir"); }

Result<std::vector<std::string>> listDir(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(File dir, File::open(path, OpenOptions::dir()));
  return readEntries(fdOf(dir), path);
}

Result<FileStat> statPath(const std::string& path, bool follow) {
  struct stat st {};
  const int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) return posixStatus("stat " + path);
  return fromStat(st);
}

Result<uint64_t> availableSpace(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return posixStatus("statvfs " + path);
  return static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
}

bool pathExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Status removeFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return posixStatus("remove " + path);
  return Status::ok();
}

Status renamePath(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return posixStatus("rename " + from + " to " + to);
  return Status::ok();
}

Status setPathMode(const std::string& path, unsigned mode) {
  if (::chmod(path.c_str(), mode) != 0) return posixStatus("chmod " + path);
  return Status::ok();
}

}  // namespace xiaoan
