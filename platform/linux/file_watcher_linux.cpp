// FileWatcher on Linux: inotify, one watch per directory (inotify is not recursive), and an
// eventfd that wake() writes to end a poll() early.

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>

#include "platform/file.h"
#include "platform/file_watcher.h"
#include "platform/linux/posix_error.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace {

// IN_CREATE and IN_MOVED_TO also report new directories, which get watches of their own.
constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MOVE_SELF | IN_ONLYDIR |
                              IN_DONT_FOLLOW | IN_EXCL_UNLINK;

bool underPrefix(const std::string& path, const std::string& prefix) {
  if (prefix.empty() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/' || prefix.back() == '/';
}

std::string join(const std::string& dir, const char* name) {
  return (dir == "/" ? "" : dir) + "/" + name;
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// `dir` opened with no component of its path followed when it is a symlink (openParentNoFollow):
// a directory on the way swapped for a link (to one of root's) is not listed.
int openDirNoFollow(const std::string& dir) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  if (dir == "/") return ::open("/", kFlags);
  std::string name;
  auto parent = openParentNoFollow(dir, &name);
  if (parent.isOk()) return ::openat(static_cast<int>(parent->native()), name.c_str(), kFlags);
  errno = parent.status().sysErrno() != 0 ? parent.status().sysErrno() : ENOENT;
  return -1;
}

// Subdirectories and regular files of `dir` (full paths); nothing when it cannot be listed.
void listDir(const std::string& dir, std::vector<std::string>* subdirs,
             std::vector<std::string>* files) {
  const int fd = openDirNoFollow(dir);
  if (fd < 0) return;
  DirPtr d(::fdopendir(fd));
  if (!d) {
    ::close(fd);
    return;
  }
  while (const dirent* e = ::readdir(d.get())) {
    if (std::string_view(e->d_name) == "." || std::string_view(e->d_name) == "..") continue;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(::dirfd(d.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) subdirs->push_back(join(dir, e->d_name));
    if (type == DT_REG && files != nullptr) files->push_back(join(dir, e->d_name));
  }
}

struct Identity {
  uint64_t dev = 0, ino = 0;
  bool operator==(const Identity&) const = default;
};

// inotify_add_watch resolves a path and IN_DONT_FOLLOW covers its last component only. Given
// /proc/self/fd/N of the directory opened with no component followed (openDirNoFollow), it
// watches exactly that directory; without /proc (a chroot) the path is used. -1 with errno.
int addWatchNoFollow(int inotify, const std::string& dir, Identity* id) {
  UniqueFd fd(openDirNoFollow(dir));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return -1;
  *id = {st.st_dev, st.st_ino};
  const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  const int wd = ::inotify_add_watch(inotify, proc.c_str(), kDirMask & ~IN_DONT_FOLLOW);
  if (wd >= 0 || errno != ENOENT) return wd;
  return ::inotify_add_watch(inotify, dir.c_str(), kDirMask);
}

Identity identityOf(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

struct Watch {
  std::string path;       // where the directory is now (as far as we know)
  std::string root_path;  // set while it is a root given to addTree
  uint32_t depth = 0;     // levels below its tree's root
  bool tree = false;      // directories below it are watched too
  Identity id;            // tells a directory moved away from one moved back or re-watched
};

class InotifyWatcher final : public FileWatcher {
 public:
  InotifyWatcher(FileWatcherOptions options, UniqueFd inotify, UniqueFd wake)
      : options_(std::move(options)), inotify_(std::move(inotify)), wake_(std::move(wake)) {}

  Status addTree(const std::string& root, WatchScope scope) override;
  Result<std::vector<FileEvent>> wait(std::chrono::milliseconds timeout) override;
  void wake() override;
  size_t watchedDirectories() const override {
    std::lock_guard lock(mu_);
    return dirs_.size();
  }

 private:
  Status addDir(const std::string& dir, uint32_t depth, bool tree, std::vector<FileEvent>* found);
  Result<int> watchOne(const std::string& dir, uint32_t depth, bool tree);
  void readEvents(std::vector<FileEvent>* out);
  void handle(const inotify_event& ev, std::vector<FileEvent>* out);
  void handleEntry(const Watch& w, const inotify_event& ev, std::vector<FileEvent>* out);
  void movedSelf(int wd, std::vector<FileEvent>* out);
  void rewatchRoots();
  bool excluded(const std::string& path) const {
    return std::any_of(options_.exclusions.begin(), options_.exclusions.end(),
                       [&](const std::string& p) { return underPrefix(path, p); });
  }

  const FileWatcherOptions options_;
  UniqueFd inotify_, wake_;
  mutable std::mutex mu_;  // guards dirs_ (watchedDirectories() is called from other threads)
  std::map<int, Watch> dirs_;
  std::vector<FileEvent> queued_;  // found by addTree (kWatchLimit), delivered by wait()
};

Status InotifyWatcher::addTree(const std::string& root, WatchScope scope) {
  if (excluded(root)) return Status(ErrorCode::kInvalidArgument, root + " is excluded");
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) return posixStatus("lstat " + root);
  if (!S_ISDIR(st.st_mode)) return Status(ErrorCode::kInvalidArgument, root + ": not a directory");
  auto wd = watchOne(root, 0, scope == WatchScope::kTree);
  if (!wd.isOk()) return wd.status();
  {
    std::lock_guard lock(mu_);
    dirs_[*wd].root_path = root;
  }
  if (scope == WatchScope::kDirectory) return Status::ok();
  std::vector<std::string> subdirs;
  listDir(root, &subdirs, nullptr);
  for (const auto& sub : subdirs) {
    Status s = addDir(sub, 1, true, nullptr);
    if (s.code() != ErrorCode::kWatchLimit) continue;
    queued_.push_back({FileEventKind::kWatchLimit, sub, true});
    break;
  }
  return Status::ok();
}

// Watches `dir` and, for a tree, the directories below it; adds the files in them to `found`
// (when given). E_WATCH_LIMIT ends the walk: the caller reports where.
Status InotifyWatcher::addDir(const std::string& dir, uint32_t depth, bool tree,
                              std::vector<FileEvent>* found) {
  if (depth > options_.max_depth || excluded(dir)) return Status::ok();
  auto wd = watchOne(dir, depth, tree);
  if (!wd.isOk()) return wd.status().code() == ErrorCode::kWatchLimit ? wd.status() : Status::ok();
  std::vector<std::string> subdirs, files;
  listDir(dir, &subdirs, found != nullptr ? &files : nullptr);
  for (auto& f : files) {
    if (!excluded(f)) found->push_back({FileEventKind::kFound, std::move(f), false});
  }
  if (!tree) return Status::ok();
  for (const auto& sub : subdirs) XIAOAN_RETURN_IF_ERROR(addDir(sub, depth + 1, true, found));
  return Status::ok();
}

// One watch; watching a directory again (same inode) updates where it is and how deep.
Result<int> InotifyWatcher::watchOne(const std::string& dir, uint32_t depth, bool tree) {
  std::lock_guard lock(mu_);
  if (dirs_.size() >= options_.max_watches) {
    const std::string count = std::to_string(dirs_.size());
    return Status(ErrorCode::kWatchLimit,
                  count + " directories watched, the most allowed; not watching " + dir);
  }
  Identity id;
  const int wd = addWatchNoFollow(inotify_.get(), dir, &id);
  if (wd < 0 && errno == ENOSPC) {
    const std::string what = "the kernel's limit of inotify watches ";
    return Status(ErrorCode::kWatchLimit,
                  what + "(fs.inotify.max_user_watches) is reached; not watching " + dir, ENOSPC);
  }
  if (wd < 0) return posixStatus("inotify_add_watch " + dir);
  Watch& w = dirs_[wd];
  w.path = dir;
  w.depth = depth;
  w.tree = w.tree || tree;
  w.id = id;
  return wd;
}

void InotifyWatcher::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

Result<std::vector<FileEvent>> InotifyWatcher::wait(std::chrono::milliseconds timeout) {
  std::vector<FileEvent> out = std::exchange(queued_, {});
  const int ms =
      out.empty() ? static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, 1 << 30)) : 0;
  pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
  const int n = ::poll(fds, 2, ms);
  if (n < 0 && errno == EINTR) return out;
  if (n < 0) return errnoStatus(ErrorCode::kIo, "poll inotify");
  if (fds[1].revents & POLLIN) {
    uint64_t count;
    [[maybe_unused]] ssize_t r = ::read(wake_.get(), &count, sizeof count);
  }
  if (fds[0].revents & POLLIN) readEvents(&out);
  return out;
}

void InotifyWatcher::readEvents(std::vector<FileEvent>* out) {
  alignas(inotify_event) char buffer[64 * 1024];
  ssize_t got;
  while ((got = ::read(inotify_.get(), buffer, sizeof buffer)) > 0) {
    for (size_t off = 0; off + sizeof(inotify_event) <= static_cast<size_t>(got);) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer + off);
      off += sizeof(inotify_event) + ev->len;
      handle(*ev, out);
    }
  }
}

void InotifyWatcher::handle(const inotify_event& ev, std::vector<FileEvent>* out) {
  if (ev.mask & IN_Q_OVERFLOW) {
    out->push_back({FileEventKind::kOverflow, {}, false});
    rewatchRoots();  // directories created meanwhile were missed too
    return;
  }
  Watch w;
  {
    std::lock_guard lock(mu_);
    auto it = dirs_.find(ev.wd);
    if (it == dirs_.end()) return;
    if (ev.mask & IN_IGNORED) {  // deleted, unmounted or removed by movedSelf()
      if (!it->second.root_path.empty()) {
        out->push_back({FileEventKind::kRootGone, it->second.root_path, true});
      }
      dirs_.erase(it);
      return;
    }
    w = it->second;
  }
  if (ev.mask & IN_MOVE_SELF) {
    movedSelf(ev.wd, out);
  } else if (ev.len > 0) {
    handleEntry(w, ev, out);
  }
}

void InotifyWatcher::handleEntry(const Watch& w, const inotify_event& ev,
                                 std::vector<FileEvent>* out) {
  std::string path = join(w.path, ev.name);
  if (excluded(path)) return;
  const bool is_dir = (ev.mask & IN_ISDIR) != 0;
  FileEventKind kind = FileEventKind::kCreated;
  if (ev.mask & IN_CLOSE_WRITE) kind = FileEventKind::kClosedAfterWrite;
  if (ev.mask & IN_MOVED_TO) kind = FileEventKind::kMovedIn;
  out->push_back({kind, path, is_dir});
  if (!is_dir || !w.tree || kind == FileEventKind::kClosedAfterWrite) return;
  // Files may have been written into it before its watch existed: reported as kFound.
  Status st = addDir(path, w.depth + 1, true, out);
  if (st.code() == ErrorCode::kWatchLimit) out->push_back({FileEventKind::kWatchLimit, path, true});
}

// The directory was renamed. When it was moved within a watched tree, the IN_MOVED_TO before
// this event watched it again under its new path (same inode, same watch): it stays. Otherwise
// its watch and those below its old path are removed (their paths are stale).
void InotifyWatcher::movedSelf(int wd, std::vector<FileEvent>* out) {
  std::vector<int> stale;
  {
    std::lock_guard lock(mu_);
    auto it = dirs_.find(wd);
    if (it == dirs_.end()) return;
    Watch& w = it->second;
    const std::string root = std::exchange(w.root_path, {});
    // A root is its path: moved away, it is gone (even when watched on elsewhere).
    if (!root.empty()) out->push_back({FileEventKind::kRootGone, root, true});
    if (w.path != root && identityOf(w.path) == w.id) return;
    stale.push_back(wd);
    for (const auto& [other, o] : dirs_) {
      if (other != wd && o.root_path.empty() && underPrefix(o.path, w.path)) stale.push_back(other);
    }
  }
  // Each removal queues IN_IGNORED, which drops the entry.
  for (int s : stale) ::inotify_rm_watch(inotify_.get(), s);
}

void InotifyWatcher::rewatchRoots() {
  std::vector<std::pair<std::string, bool>> roots;
  {
    std::lock_guard lock(mu_);
    for (const auto& [wd, w] : dirs_) {
      if (!w.root_path.empty()) roots.emplace_back(w.root_path, w.tree);
    }
  }
  for (const auto& [root, tree] : roots) {
    Status st = addDir(root, 0, tree, nullptr);
    if (st.code() == ErrorCode::kWatchLimit) queued_.push_back({FileEventKind::kWatchLimit, root});
  }
}

}  // namespace

Result<std::unique_ptr<FileWatcher>> makeFileWatcher(FileWatcherOptions options) {
  UniqueFd in(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!in.valid()) return errnoStatus(ErrorCode::kIo, "inotify_init1");
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return errnoStatus(ErrorCode::kIo, "eventfd");
  return std::unique_ptr<FileWatcher>(
      new InotifyWatcher(std::move(options), std::move(in), std::move(wake)));
}

}  // namespace xiaoan
