// FileWalker on Linux: descriptor-relative (openat/fstatat), never following symlinks.

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <unordered_set>

#include "platform/file_walker.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

FileStat toFileStat(const struct stat& sb) {
  FileStat st;
  st.dev = sb.st_dev;
  st.ino = sb.st_ino;
  st.size = sb.st_size > 0 ? static_cast<uint64_t>(sb.st_size) : 0;
  st.nlink = sb.st_nlink;
  st.mtime_ns = sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
  st.ctime_ns = sb.st_ctim.tv_sec * 1000000000LL + sb.st_ctim.tv_nsec;
  st.uid = sb.st_uid;
  st.gid = sb.st_gid;
  st.mode = sb.st_mode;
  return st;
}

bool isDotOrDotDot(const char* n) {
  return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'));
}

bool isGlob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// A root as the walk names it: "." and ".." resolved by the text (nothing is followed, so that
// is the directory the kernel reaches without symlinks), no trailing '/'.
std::string rootPath(const std::string& root) {
  std::string p = std::filesystem::path(root).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool below(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

// Where a root is opened from: the deepest confining directory strictly above it ("/" for a
// root that is one of them, or when none are given); nullopt for a root outside all of them.
std::optional<std::string> beneathFor(const std::string& root,
                                      const std::vector<std::string>& confine) {
  if (confine.empty()) return std::string("/");
  std::optional<std::string> best;
  for (const std::string& c : confine) {
    const std::string dir = rootPath(c);
    if (root == dir && !best) best = "/";
    if (below(root, dir) && (!best || dir.size() > best->size())) best = dir;
  }
  return best;
}

// Exclusions, split once per walk into prefixes and globs.
class Exclusions {
 public:
  explicit Exclusions(const std::vector<std::string>& specs) {
    for (std::string s : specs) {
      if (isGlob(s)) {
        (s.find('/') != std::string::npos ? path_globs_ : name_globs_).push_back(std::move(s));
        continue;
      }
      while (s.size() > 1 && s.back() == '/') s.pop_back();
      if (s.empty()) continue;
      // "node_modules" or "AppData/Local/Temp": that name or those trailing components,
      // anywhere (walked paths are absolute, a relative prefix would never match).
      (s.front() == '/' ? prefixes_ : relative_).push_back(s.front() == '/' ? s : "/" + s);
    }
  }

  bool match(const std::string& path, const char* name) const {
    for (const std::string& p : prefixes_) {
      if (path.compare(0, p.size(), p) == 0 &&
          (path.size() == p.size() || path[p.size()] == '/' || p == "/")) {
        return true;
      }
    }
    for (const std::string& r : relative_) {
      if (path.size() >= r.size() && path.compare(path.size() - r.size(), r.size(), r) == 0) {
        return true;
      }
    }
    for (const std::string& g : name_globs_) {
      if (::fnmatch(g.c_str(), name, 0) == 0) return true;
    }
    for (const std::string& g : path_globs_) {
      if (::fnmatch(g.c_str(), path.c_str(), 0) == 0) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> prefixes_, relative_, name_globs_, path_globs_;
};

// One walk: the current path, the identities seen, the options.
class Pass {
 public:
  Pass(const WalkOptions& options, WalkVisitor& visitor, const std::atomic<bool>& stop)
      : opt_(options), exclusions_(options.exclusions), visitor_(visitor), stop_(stop) {}

  void walkRoot(const std::string& root);

 private:
  bool stopped() const { return stopped_ || stop_.load(std::memory_order_relaxed); }
  void skip(WalkSkip reason, int err = 0, uint64_t count = 1) {
    visitor_.onSkip(reason, path_, count, err);
  }
  bool firstVisit(const FileStat& st) { return seen_.insert({st.dev, st.ino}).second; }
  void yield(int dir_fd, const char* name, const FileStat& st, uint32_t depth);
  void enterRootDir(UniqueFd fd);
  void skipRootPath(const Status& st);
  void listDir(UniqueFd fd, uint32_t depth);
  void visitEntry(int dir_fd, const char* name, uint32_t depth);
  void visitDir(int dir_fd, const char* name, const FileStat& st, uint32_t depth);
  uint64_t countEntries(int dir_fd, const char* name);

  const WalkOptions& opt_;
  Exclusions exclusions_;
  WalkVisitor& visitor_;
  const std::atomic<bool>& stop_;
  std::string path_;
  uint64_t root_dev_ = 0;
  bool stopped_ = false;
  // Directories, roots and files with several links. A file with one link has one entry in
  // one directory, and each directory is listed once, so it cannot be reached twice.
  std::unordered_set<FileId, FileIdHash> seen_;
};

void Pass::yield(int dir_fd, const char* name, const FileStat& st, uint32_t depth) {
  WalkEntry e;
  e.dir = dir_fd;
  e.name = name;
  e.path = path_;
  e.stat = st;
  e.depth = depth;
  if (!visitor_.onFile(e)) stopped_ = true;
}

void Pass::walkRoot(const std::string& root) {
  if (stopped()) return;
  path_ = rootPath(root);
  std::string_view base(path_);
  base.remove_prefix(path_.rfind('/') + 1);
  if (exclusions_.match(path_, std::string(base).c_str())) return skip(WalkSkip::kExcluded);
  if (path_ == "/") {
    return enterRootDir(UniqueFd(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)));
  }
  const std::optional<std::string> beneath = beneathFor(path_, opt_.confine);
  if (!beneath) return skip(WalkSkip::kExcluded);
  std::string name;
  // No component followed, none outside `beneath`: a parent a user swapped for a symlink
  // (to a directory of root's) is refused here, not entered.
  auto parent = openParentNoFollow(path_, &name, *beneath);
  if (!parent.isOk()) return skipRootPath(parent.status());
  const int dir = static_cast<int>(parent->native());
  struct stat sb {};
  if (::fstatat(dir, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0) {
    return skip(errno == ENOENT ? WalkSkip::kVanished : WalkSkip::kUnreadable, errno);
  }
  const FileStat st = toFileStat(sb);
  if (S_ISREG(sb.st_mode)) {
    // A root that is a file: yielded relative to its parent directory like any other.
    if (!firstVisit(st)) return skip(WalkSkip::kDuplicate);
    return yield(dir, name.c_str(), st, 0);
  }
  if (!S_ISDIR(sb.st_mode)) return skip(WalkSkip::kNotRegular);
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.valid() && (::fstat(fd.get(), &sb) != 0 || sb.st_dev != st.dev || sb.st_ino != st.ino)) {
    return skip(WalkSkip::kVanished);  // replaced between fstatat and openat
  }
  enterRootDir(std::move(fd));
}

void Pass::enterRootDir(UniqueFd fd) {
  struct stat sb {};
  if (!fd.valid() || ::fstat(fd.get(), &sb) != 0) return skip(WalkSkip::kDirUnreadable, errno);
  FileStat st = toFileStat(sb);
  if (!firstVisit(st)) return skip(WalkSkip::kDuplicate);
  root_dev_ = st.dev;
  listDir(std::move(fd), 0);
}

// The root's path was refused by openParentNoFollow: a symlink or a non-directory on the way,
// a root outside its tree, or gone.
void Pass::skipRootPath(const Status& st) {
  const int err = st.sysErrno();
  if (st.code() == ErrorCode::kNotFound) return skip(WalkSkip::kVanished, err);
  if (st.code() == ErrorCode::kInvalidArgument) return skip(WalkSkip::kExcluded, err);
  const bool redirected = err == ELOOP || err == ENOTDIR || err == EXDEV;
  if (st.code() == ErrorCode::kPermissionDenied && redirected) {
    return skip(WalkSkip::kNotRegular, err);
  }
  skip(WalkSkip::kUnreadable, err);
}

void Pass::listDir(UniqueFd fd, uint32_t depth) {
  DirPtr dir(::fdopendir(fd.get()));
  if (!dir) return skip(WalkSkip::kDirUnreadable, errno);
  fd.release();  // owned by dir now
  int dfd = ::dirfd(dir.get());
  size_t len = path_.size();
  for (;;) {
    if (stopped()) return;
    errno = 0;
    const dirent* ent = ::readdir(dir.get());
    if (ent == nullptr) {
      path_.resize(len);
      // Listing failed part-way: the files not listed are unknown.
      if (errno != 0) skip(WalkSkip::kDirUnreadable, errno);
      return;
    }
    if (isDotOrDotDot(ent->d_name)) continue;
    if (path_.back() != '/') path_.push_back('/');
    path_.append(ent->d_name);
    visitEntry(dfd, ent->d_name, depth + 1);
    path_.resize(len);
  }
}

void Pass::visitEntry(int dir_fd, const char* name, uint32_t depth) {
  if (exclusions_.match(path_, name)) return skip(WalkSkip::kExcluded);
  struct stat sb {};
  if (::fstatat(dir_fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
    return skip(errno == ENOENT ? WalkSkip::kVanished : WalkSkip::kUnreadable, errno);
  }
  FileStat st = toFileStat(sb);
  if (S_ISDIR(sb.st_mode)) return visitDir(dir_fd, name, st, depth);
  if (!S_ISREG(sb.st_mode)) return skip(WalkSkip::kNotRegular);
  if (st.nlink > 1 && !firstVisit(st)) return skip(WalkSkip::kDuplicate);
  yield(dir_fd, name, st, depth);
}

void Pass::visitDir(int dir_fd, const char* name, const FileStat& st, uint32_t depth) {
  if (opt_.one_file_system && st.dev != root_dev_) return skip(WalkSkip::kOtherFileSystem);
  if (!firstVisit(st)) return skip(WalkSkip::kDuplicate);
  if (depth > opt_.max_depth) {
    return skip(WalkSkip::kTooDeep, 0, countEntries(dir_fd, name));
  }
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    return skip(errno == ENOENT || errno == ELOOP || errno == ENOTDIR ? WalkSkip::kVanished
                                                                      : WalkSkip::kDirUnreadable,
                errno);
  }
  struct stat sb {};
  if (::fstat(fd.get(), &sb) != 0) return skip(WalkSkip::kDirUnreadable, errno);
  // Replaced between fstatat and openat: not the directory we decided to enter.
  if (sb.st_dev != st.dev || sb.st_ino != st.ino) return skip(WalkSkip::kVanished);
  listDir(std::move(fd), depth);
}

// Entries of a directory left out for depth: counted when it can be listed, else 1.
uint64_t Pass::countEntries(int dir_fd, const char* name) {
  UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return 1;
  DirPtr dir(::fdopendir(fd.get()));
  if (!dir) return 1;
  fd.release();
  uint64_t n = 0;
  while (const dirent* ent = ::readdir(dir.get())) {
    if (!isDotOrDotDot(ent->d_name)) ++n;
  }
  return n > 0 ? n : 1;
}

class LinuxFileWalker final : public FileWalker {
 public:
  Status walk(const std::vector<std::string>& roots, const WalkOptions& options,
              WalkVisitor& visitor, const std::atomic<bool>& stop) override {
    for (const std::string& root : roots) {
      if (root.empty() || root.front() != '/') {
        return Status(ErrorCode::kInvalidArgument, "scan root is not absolute: " + root);
      }
    }
    Pass pass(options, visitor, stop);
    for (const std::string& root : roots) pass.walkRoot(root);
    return Status::ok();
  }
};

}  // namespace

std::string_view walkSkipName(WalkSkip reason) {
  switch (reason) {
    case WalkSkip::kNotRegular:
      return "not_regular";
    case WalkSkip::kExcluded:
      return "excluded";
    case WalkSkip::kOtherFileSystem:
      return "other_file_system";
    case WalkSkip::kDuplicate:
      return "duplicate";
    case WalkSkip::kTooDeep:
      return "too_deep";
    case WalkSkip::kUnreadable:
      return "unreadable";
    case WalkSkip::kDirUnreadable:
      return "dir_unreadable";
    case WalkSkip::kVanished:
      return "vanished";
  }
  return "unknown";
}

std::unique_ptr<FileWalker> makeFileWalker() { return std::make_unique<LinuxFileWalker>(); }

Result<File> openWalkEntry(const WalkEntry& entry) {
  const int fd = ::openat(static_cast<int>(entry.dir), entry.name.data(),
                          O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errnoStatus(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                       "open " + std::string(entry.path));
  return File::adopt(fd);
}

}  // namespace xiaoan
