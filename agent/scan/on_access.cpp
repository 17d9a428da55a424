#include "agent/scan/on_access.h"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/scan/path_text.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MOVE_SELF | IN_ONLYDIR |
                              IN_DONT_FOLLOW | IN_EXCL_UNLINK;

bool underPrefix(const std::string& path, const std::string& prefix) {
  if (prefix.empty() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/' || prefix.back() == '/';
}

}  // namespace

Result<std::unique_ptr<OnAccessWatcher>> OnAccessWatcher::start(OnAccessOptions options,
                                                                Callback callback) {
  UniqueFd in(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!in.valid()) return errnoStatus(ErrorCode::kIo, "inotify_init1");
  UniqueFd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return errnoStatus(ErrorCode::kIo, "eventfd");
  std::unique_ptr<OnAccessWatcher> w(
      new OnAccessWatcher(std::move(options), std::move(callback), std::move(in), std::move(stop)));
  w->addRoots();
  w->thread_ = std::thread([raw = w.get()] { raw->run(); });
  return w;
}

OnAccessWatcher::OnAccessWatcher(OnAccessOptions options, Callback callback, UniqueFd inotify,
                                 UniqueFd stop)
    : options_(std::move(options)),
      callback_(std::move(callback)),
      inotify_(std::move(inotify)),
      stop_(std::move(stop)) {}

OnAccessWatcher::~OnAccessWatcher() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(stop_.get(), &one, sizeof one);
  if (thread_.joinable()) thread_.join();
}

size_t OnAccessWatcher::watchedDirectories() const {
  std::lock_guard lock(mu_);
  return dirs_.size();
}

size_t OnAccessWatcher::watchedRoots() const {
  std::lock_guard lock(mu_);
  return roots_watched_.size();
}

bool OnAccessWatcher::excluded(const std::string& path) const {
  return std::any_of(options_.never_watch.begin(), options_.never_watch.end(),
                     [&](const std::string& p) { return underPrefix(path, p); });
}

void OnAccessWatcher::addRoots() {
  next_retry_ = SteadyClock::now() + options_.retry_missing;
  for (const auto& root : options_.roots) {
    bool watched;
    {
      std::lock_guard lock(mu_);
      watched = roots_watched_.count(root) > 0;
    }
    if (watched || excluded(root)) continue;
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;  // retried later
    addTree(root, 0, false);
  }
}

// Watches `dir` and the directories below it (not through symlinks, not past max_depth).
void OnAccessWatcher::addTree(const std::string& dir, uint32_t depth, bool report_files) {
  if (depth > options_.max_depth || excluded(dir)) return;
  {
    std::lock_guard lock(mu_);
    if (dirs_.size() >= options_.max_watches) {
      if (!limit_logged_) {
        componentLogger("agent.scan")
            ->warn("on-access: {} directories watched, not watching more (first left out: {})",
                   dirs_.size(), displayPath(dir));
      }
      limit_logged_ = true;
      return;
    }
    const int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), kDirMask);
    if (wd < 0) return;  // vanished or unreadable: nothing to watch
    dirs_[wd] = {dir, depth};
    if (depth == 0) roots_watched_.insert(dir);
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> subdirs;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = (dir == "/" ? "" : dir) + "/" + name;
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) subdirs.push_back(path);
    if (type == DT_REG && report_files) note(path);
  }
  ::closedir(d);
  for (const auto& sub : subdirs) addTree(sub, depth + 1, report_files);
}

void OnAccessWatcher::note(const std::string& path) {
  if (excluded(path)) return;
  const auto now = SteadyClock::now();
  auto [it, fresh] = pending_.try_emplace(path, Pending{now, now});
  it->second.due = std::min(now + options_.debounce, it->second.first + options_.max_delay);
  if (fresh && pending_.size() >= options_.max_pending) flushDue(true);
}

void OnAccessWatcher::handle(const char* buffer, size_t length) {
  for (size_t off = 0; off + sizeof(inotify_event) <= length;) {
    const auto* ev = reinterpret_cast<const inotify_event*>(buffer + off);
    off += sizeof(inotify_event) + ev->len;
    if (ev->mask & IN_Q_OVERFLOW) {
      componentLogger("agent.scan")->warn("on-access: inotify queue overflow, events lost");
      continue;
    }
    std::pair<std::string, uint32_t> dir;
    {
      std::lock_guard lock(mu_);
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end()) continue;
      dir = it->second;
      if (ev->mask & IN_IGNORED) {
        if (dir.second == 0) roots_watched_.erase(dir.first);
        dirs_.erase(it);
        continue;
      }
    }
    if (ev->mask & IN_MOVE_SELF) {
      // Its path is stale now; where it moved to (if watched) reports IN_MOVED_TO.
      ::inotify_rm_watch(inotify_.get(), ev->wd);
      continue;
    }
    if (ev->len == 0) continue;
    const std::string path = (dir.first == "/" ? "" : dir.first) + "/" + ev->name;
    if (ev->mask & IN_ISDIR) {
      if (ev->mask & (IN_CREATE | IN_MOVED_TO)) addTree(path, dir.second + 1, true);
    } else if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
      note(path);
    }
  }
}

void OnAccessWatcher::flushDue(bool all) {
  const auto now = SteadyClock::now();
  std::vector<std::string> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (all || it->second.due <= now) {
      due.push_back(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (!due.empty()) callback_(std::move(due));
}

int OnAccessWatcher::pollTimeoutMs() const {
  auto next = next_retry_;
  for (const auto& [path, p] : pending_) next = std::min(next, p.due);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(next - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 60'000));
}

void OnAccessWatcher::run() {
  alignas(inotify_event) char buffer[64 * 1024];
  for (;;) {
    pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, pollTimeoutMs());
    if (n < 0 && errno != EINTR) {
      componentLogger("agent.scan")->error("on-access: poll: {}", std::strerror(errno));
      return;
    }
    if (n > 0 && (fds[1].revents & POLLIN)) return;
    if (n > 0 && (fds[0].revents & POLLIN)) {
      ssize_t got;
      while ((got = ::read(inotify_.get(), buffer, sizeof buffer)) > 0) {
        handle(buffer, static_cast<size_t>(got));
      }
    }
    flushDue(false);
    if (SteadyClock::now() >= next_retry_) addRoots();
  }
}

}  // namespace xiaoan::agent::scan
