// ScanService: on-access and removable-media scanning (the watchers and their passes).
#include <algorithm>

#include "agent/scan/path_text.h"
#include "agent/scan/scan_service.h"
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
    componentLogger(LogComponent::kAgentScan)->warn("on-access: local users: {}", list.status().toString());
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

void ScanService::startWatchers() {
  bool enabled, removable;
  std::vector<std::string> wanted;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    enabled = policy_.enabled();
    removable = enabled && policy_.removable_media();
    if (enabled) {
      wanted = expandOnAccessPaths(
          {policy_.on_access_paths().begin(), policy_.on_access_paths().end()}, *sessions_);
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

std::unique_ptr<OnAccessWatcher> ScanService::makeOnAccessWatcher(
    const std::vector<std::string>& roots) {
  OnAccessOptions o;
  o.roots = roots;
  o.never_watch = {options_.state_dir};
  auto files = makeFileWatcher(fileWatcherOptions(o));
  condition("on_access", files.isOk() ? Status::ok() : files.status());
  if (!files.isOk()) return nullptr;
  auto w =
      std::make_unique<OnAccessWatcher>(std::move(o), std::move(files).value(), clock_,
                                        [this](std::vector<std::string> f) { onAccessFiles(f); });
  w->start();
  return w;
}

std::unique_ptr<RemovableMediaWatcher> ScanService::makeRemovableWatcher() {
  auto mounts = makeMountWatcher();
  if (!mounts.isOk()) {
    componentLogger(LogComponent::kAgentScan)->warn("removable media: {}", mounts.status().toString());
    return nullptr;
  }
  return std::make_unique<RemovableMediaWatcher>(
      std::move(mounts).value(), [this](const std::string& m) { onRemovableMount(m); });
}

void ScanService::onAccessFiles(std::vector<std::string> files) {
  {
    std::lock_guard lock(mu_);
    for (auto& f : files) {
      if (access_queue_.size() >= kMaxQueuedFiles) {
        componentLogger(LogComponent::kAgentScan)
            ->warn("on-access: {} files waiting; {} not queued", access_queue_.size(),
                   displayPath(f));
        break;
      }
      access_queue_.insert(std::move(f));
    }
  }
  access_wake_.notify_all();
}

// One on-access pass at a time, each over the files queued meanwhile.
void ScanService::onAccessWorker() {
  std::unique_lock lock(mu_);
  for (;;) {
    access_wake_.wait(lock, [this] { return stopping_ || !access_queue_.empty(); });
    if (stopping_) return;
    std::vector<std::string> files;
    while (!access_queue_.empty() && files.size() < kFilesPerPass) {
      files.push_back(access_queue_.extract(access_queue_.begin()).value());
    }
    JobSpec spec;
    spec.request = requestFor(v1::SCAN_KIND_ON_ACCESS, std::move(files));
    spec.quiet_summary = true;
    auto job = makeJob(std::move(spec));
    if (!job.isOk()) continue;  // no rules: nothing can be scanned (status says so)
    ScanJob* raw = job->get();
    const std::string id = raw->request().scan_id;
    raw->start();
    jobs_[id] = std::move(job).value();
    lock.unlock();
    raw->join();
    lock.lock();
    jobs_.erase(id);
  }
}

void ScanService::onRemovableMount(const std::string& mount_point) {
  std::lock_guard lock(mu_);
  if (stopping_ || !policy_.enabled() || !policy_.removable_media()) return;
  ScanRequest request = requestFor(v1::SCAN_KIND_REMOVABLE, {mount_point});
  auto job = makeJob(backgroundSpec(std::move(request)));
  if (!job.isOk()) {
    componentLogger(LogComponent::kAgentScan)
        ->warn("removable media {} not scanned: {}", displayPath(mount_point),
               job.status().toString());
    return;
  }
  const std::string id = (*job)->request().scan_id;
  (*job)->start();
  jobs_[id] = std::move(job).value();
}

}  // namespace xiaoan::agent::scan
