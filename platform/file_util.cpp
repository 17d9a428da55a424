#include "platform/file_util.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

Status writeAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(ErrorCode::kIo, "write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::ok();
}

}  // namespace

Result<std::string> readFile(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return errnoStatus(errno == ENOENT   ? ErrorCode::kNotFound
                       : errno == EACCES ? ErrorCode::kPermissionDenied
                                         : ErrorCode::kIo,
                       "open " + path);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(ErrorCode::kIo, "read " + path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Status(ErrorCode::kTooLarge,
                    path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status fsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errnoStatus(ErrorCode::kIo, "open dir " + dir);
  if (::fsync(fd.get()) != 0) return errnoStatus(ErrorCode::kIo, "fsync dir " + dir);
  return Status::ok();
}

Status atomicWriteFile(const std::string& path, std::string_view data, unsigned mode) {
  std::filesystem::path p(path);
  std::string dir = p.parent_path().empty() ? "." : p.parent_path().string();
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (fd.get() < 0) return errnoStatus(ErrorCode::kIo, "create " + tmp);
  Status st = writeAll(fd.get(), data, tmp);
  if (st.isOk() && ::fchmod(fd.get(), mode) != 0) st = errnoStatus(ErrorCode::kIo, "chmod " + tmp);
  if (st.isOk() && ::fsync(fd.get()) != 0) st = errnoStatus(ErrorCode::kIo, "fsync " + tmp);
  if (st.isOk() && ::close(fd.release()) != 0) st = errnoStatus(ErrorCode::kIo, "close " + tmp);
  if (st.isOk() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = errnoStatus(ErrorCode::kIo, "rename " + tmp + " -> " + path);
  }
  if (!st.isOk()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return fsyncDir(dir);
}

Status makeDirs(const std::string& path, unsigned mode) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || (path[i] == '/' && i > 0)) {
      cur = path.substr(0, i);
      if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) {
        // A directory that exists is fine even where mkdir says EACCES or EROFS first (a
        // parent the caller may not write, on some kernels and overlay roots).
        const int err = errno;
        struct stat sb {};
        if (::stat(cur.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) continue;
        errno = err;
        return errnoStatus(ErrorCode::kIo, "mkdir " + cur);
      }
    }
  }
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    return Status(ErrorCode::kIo, path + " is not a directory");
  }
  return Status::ok();
}

Result<std::string> randomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return errnoStatus(ErrorCode::kInternal, "getrandom");
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace xiaoan
