#include "agent/scan/on_access.h"

#include <algorithm>

#include "agent/scan/path_text.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

bool underPrefix(const std::string& path, const std::string& prefix) {
  if (prefix.empty() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/' || prefix.back() == '/';
}

}  // namespace

FileWatcherOptions fileWatcherOptions(const OnAccessOptions& options) {
  FileWatcherOptions o;
  o.max_depth = options.max_depth;
  o.max_watches = options.max_watches;
  o.exclusions = options.never_watch;
  return o;
}

OnAccessWatcher::OnAccessWatcher(OnAccessOptions options, std::unique_ptr<FileWatcher> watcher,
                                 const Clock& clock, Callback callback)
    : options_(std::move(options)),
      watcher_(std::move(watcher)),
      clock_(clock),
      callback_(std::move(callback)) {}

OnAccessWatcher::~OnAccessWatcher() {
  stopping_ = true;
  watcher_->wake();
  if (thread_.joinable()) thread_.join();
}

void OnAccessWatcher::start() {
  addRoots();
  thread_ = std::thread([this] { run(); });
}

void OnAccessWatcher::run() {
  while (!stopping_ && step()) {
  }
}

size_t OnAccessWatcher::watchedDirectories() const { return watcher_->watchedDirectories(); }

size_t OnAccessWatcher::watchedRoots() const {
  std::lock_guard lock(mu_);
  return roots_watched_.size();
}

bool OnAccessWatcher::excluded(const std::string& path) const {
  return std::any_of(options_.never_watch.begin(), options_.never_watch.end(),
                     [&](const std::string& p) { return underPrefix(path, p); });
}

bool OnAccessWatcher::step() {
  auto events = watcher_->wait(waitTimeout());
  if (!events.isOk()) {
    componentLogger(LogComponent::kAgentScan)->error("on-access: {}", events.status().toString());
    return false;
  }
  for (const auto& e : *events) handle(e);
  flushDue(false);
  if (now() >= next_retry_) addRoots();
  return true;
}

// Roots not watched yet (missing, vanished, or left out by the watch limit) are tried again.
void OnAccessWatcher::addRoots() {
  next_retry_ = now() + options_.retry_missing;
  for (const auto& root : options_.roots) {
    {
      std::lock_guard lock(mu_);
      if (roots_watched_.count(root) > 0) continue;
    }
    if (excluded(root)) continue;
    Status st = watcher_->addTree(root, WatchScope::kTree);
    if (st.code() == ErrorCode::kWatchLimit) limitReached(st.message());
    if (!st.isOk()) continue;  // missing or not a directory: retried later
    std::lock_guard lock(mu_);
    roots_watched_.insert(root);
  }
}

void OnAccessWatcher::handle(const FileEvent& event) {
  switch (event.kind) {
    case FileEventKind::kClosedAfterWrite:
    case FileEventKind::kMovedIn:
    case FileEventKind::kFound:
      if (!event.is_directory) note(event.path);
      break;
    case FileEventKind::kCreated:
      break;  // a new file's content comes with kClosedAfterWrite
    case FileEventKind::kOverflow:
      componentLogger(LogComponent::kAgentScan)
          ->warn("on-access: change events lost (queue overflow); rescanning the watched roots");
      rescanRoots();
      break;
    case FileEventKind::kRootGone: {
      std::lock_guard lock(mu_);
      roots_watched_.erase(event.path);  // retried later
      break;
    }
    case FileEventKind::kWatchLimit:
      limitReached("not watching " + displayPath(event.path) + " (nor what may follow)");
      break;
  }
}

void OnAccessWatcher::limitReached(const std::string& what) {
  if (limit_logged_) return;
  limit_logged_ = true;
  componentLogger(LogComponent::kAgentScan)
      ->warn("on-access: watch limit reached with {} directories watched: {}",
             watcher_->watchedDirectories(), what);
}

void OnAccessWatcher::rescanRoots() {
  std::vector<std::string> roots;
  {
    std::lock_guard lock(mu_);
    roots.assign(roots_watched_.begin(), roots_watched_.end());
  }
  for (const auto& root : roots) note(root);
}

void OnAccessWatcher::note(const std::string& path) {
  if (excluded(path)) return;
  const Nanos t = now();
  auto [it, fresh] = pending_.try_emplace(path, Pending{t, t});
  it->second.due = std::min<Nanos>(t + options_.debounce, it->second.first + options_.max_delay);
  if (fresh && pending_.size() >= options_.max_pending) flushDue(true);
}

void OnAccessWatcher::flushDue(bool all) {
  const Nanos t = now();
  std::vector<std::string> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (all || it->second.due <= t) {
      due.push_back(it->first);
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  if (!due.empty()) callback_(std::move(due));
}

// Until the next file is due or the next retry of missing roots (rounded up to whole
// milliseconds), at most a minute.
std::chrono::milliseconds OnAccessWatcher::waitTimeout() const {
  Nanos next = next_retry_;
  for (const auto& [path, p] : pending_) next = std::min(next, p.due);
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now()).count();
  return std::chrono::milliseconds(std::clamp<int64_t>(ms, 0, 60'000));
}

}  // namespace xiaoan::agent::scan
