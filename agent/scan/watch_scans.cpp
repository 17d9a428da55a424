#include "agent/scan/watch_scans.h"

#include <algorithm>

#include "agent/scan/path_text.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kMaxQueuedFiles = 10000;
constexpr size_t kFilesPerPass = 256;

// Homes of the people who use this PC (root and regular accounts, not service accounts).
std::vector<std::string> userHomes(const UserSessions& users) {
  std::vector<std::string> homes;
  auto list = users.localUsers();
  if (!list.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("on-access: local users: {}", list.status().toString());
    return homes;
  }
  for (const auto& u : *list) {
    if (!u.is_person || u.home.empty()) continue;
    if (std::find(homes.begin(), homes.end(), u.home) == homes.end()) homes.push_back(u.home);
  }
  return homes;
}

}  // namespace

std::vector<std::string> expandOnAccessPaths(const std::vector<std::string>& paths,
                                             const UserSessions& users) {
  std::vector<std::string> out;
  std::vector<std::string> homes;
  bool homes_read = false;
  auto add = [&](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  for (const auto& p : paths) {
    if (p.rfind("~/", 0) != 0) {
      if (!p.empty() && p.front() == '/') add(p);
      continue;
    }
    if (!homes_read) homes = userHomes(users);
    homes_read = true;
    for (const auto& home : homes) add(home + p.substr(1));
  }
  return out;
}

WatchScans::WatchScans(ScanJobs& jobs, const ScanRequestBuilder& requests,
                       const UserSessions& sessions, const Clock& clock, ScanReporter& reporter,
                       std::string state_dir)
    : jobs_(jobs),
      requests_(requests),
      sessions_(sessions),
      clock_(clock),
      reporter_(reporter),
      state_dir_(std::move(state_dir)) {}

WatchScans::~WatchScans() {
  beginStop();
  join();
}

void WatchScans::start() {
  thread_ = std::thread([this] { worker(); });
}

void WatchScans::setPolicy(const v1::ScanPolicy& policy) {
  std::lock_guard lock(mu_);
  policy_ = policy;
}

void WatchScans::refreshWatchers() {
  bool removable = false;
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    removable = policy_.enabled() && policy_.removable_media();
    if (policy_.enabled()) {
      wanted = expandOnAccessPaths(
          {policy_.on_access_paths().begin(), policy_.on_access_paths().end()}, sessions_);
    }
    if (wanted == on_access_roots_ && (on_access_ != nullptr) == !wanted.empty() &&
        (removable_ != nullptr) == removable) {
      return;
    }
  }
  std::unique_ptr<OnAccessWatcher> access = wanted.empty() ? nullptr : makeOnAccessWatcher(wanted);
  std::unique_ptr<RemovableMediaWatcher> media = removable ? makeRemovableWatcher() : nullptr;
  componentLogger(LogComponent::kAgentScan)
      ->info("on-access scanning of {} path(s); removable media {}", wanted.size(),
             removable ? "scanned" : "not scanned");
  {
    std::lock_guard lock(mu_);
    std::swap(on_access_, access);
    std::swap(removable_, media);
    on_access_roots_ = wanted;
  }
  // The old watchers stop here, outside mu_ (their callbacks take it).
}

uint32_t WatchScans::watchedRoots() const {
  std::lock_guard lock(mu_);
  return on_access_ ? static_cast<uint32_t>(on_access_->watchedRoots()) : 0;
}

std::unique_ptr<OnAccessWatcher> WatchScans::makeOnAccessWatcher(
    const std::vector<std::string>& roots) {
  OnAccessOptions o;
  o.roots = roots;
  o.never_watch = {state_dir_};
  auto files = makeFileWatcher(fileWatcherOptions(o));
  reporter_.condition("on_access", files.isOk() ? Status::ok() : files.status());
  if (!files.isOk()) return nullptr;
  auto w =
      std::make_unique<OnAccessWatcher>(std::move(o), std::move(files).value(), clock_,
                                        [this](std::vector<std::string> f) { onAccessFiles(f); });
  w->start();
  return w;
}

std::unique_ptr<RemovableMediaWatcher> WatchScans::makeRemovableWatcher() {
  auto mounts = makeMountWatcher();
  if (!mounts.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("removable media: {}", mounts.status().toString());
    return nullptr;
  }
  return std::make_unique<RemovableMediaWatcher>(
      std::move(mounts).value(), [this](const std::string& m) { onRemovableMount(m); });
}

void WatchScans::onAccessFiles(std::vector<std::string> files) {
  {
    std::lock_guard lock(mu_);
    for (auto& f : files) {
      if (queue_.size() >= kMaxQueuedFiles) {
        componentLogger(LogComponent::kAgentScan)
            ->warn("on-access: {} files waiting; {} not queued", queue_.size(), displayPath(f));
        break;
      }
      queue_.insert(std::move(f));
    }
  }
  wake_.notify_all();
}

// One on-access pass at a time, each over the files queued meanwhile.
void WatchScans::worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::vector<std::string> files;
    while (!queue_.empty() && files.size() < kFilesPerPass) {
      files.push_back(queue_.extract(queue_.begin()).value());
    }
    JobSpec spec;
    spec.request = requests_.request(policy_, v1::SCAN_KIND_ON_ACCESS, std::move(files));
    // Each file is opened from its watched root, no symlink followed: a directory of its path
    // swapped for a link meanwhile (to one of root's) is refused, not scanned.
    spec.request.confine = on_access_roots_;
    spec.quiet_summary = true;
    auto started = jobs_.launch(std::move(spec));
    if (!started.isOk()) continue;  // no rules: nothing can be scanned (status says so)
    lock.unlock();
    jobs_.joinAndDrop(started->scan_id());
    lock.lock();
  }
}

void WatchScans::onRemovableMount(const std::string& mount_point) {
  std::lock_guard lock(mu_);
  if (stopping_ || !policy_.enabled() || !policy_.removable_media()) return;
  ScanRequest request = requests_.request(policy_, v1::SCAN_KIND_REMOVABLE, {mount_point});
  auto started = jobs_.launch(ScanRequestBuilder::backgroundSpec(policy_, std::move(request)));
  if (!started.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("removable media {} not scanned: {}", displayPath(mount_point),
               started.status().toString());
  }
}

void WatchScans::beginStop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
}

void WatchScans::join() {
  if (thread_.joinable()) thread_.join();
  std::unique_ptr<OnAccessWatcher> access;
  std::unique_ptr<RemovableMediaWatcher> media;
  {
    std::lock_guard lock(mu_);
    std::swap(on_access_, access);
    std::swap(removable_, media);
  }
  // The watchers stop here, outside mu_ (their callbacks take it).
}

}  // namespace xiaoan::agent::scan
