// ScanService: on-access and removable-media scanning (the watchers and their passes).
#include <algorithm>

#include "agent/scan/path_text.h"
#include "agent/scan/scan_service.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr size_t kMaxQueuedFiles = 10000;
constexpr size_t kFilesPerPass = 256;

// Homes of people: root and regular accounts (uid >= 1000), not nobody.
std::vector<std::string> userHomes(const std::string& passwd_path) {
  std::vector<std::string> homes;
  auto text = readFile(passwd_path, 4 << 20);
  if (!text.isOk()) return homes;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    std::vector<std::string> f;
    size_t start = pos;
    for (size_t i = pos; i <= nl; ++i) {
      if (i == nl || (*text)[i] == ':') {
        f.push_back(text->substr(start, i - start));
        start = i + 1;
      }
    }
    pos = nl + 1;
    if (f.size() < 7 || f[5].size() < 2 || f[5].front() != '/') continue;
    const unsigned long uid = std::strtoul(f[2].c_str(), nullptr, 10);
    if (uid != 0 && (uid < 1000 || uid == 65534)) continue;
    if (std::find(homes.begin(), homes.end(), f[5]) == homes.end()) homes.push_back(f[5]);
  }
  return homes;
}

}  // namespace

std::vector<std::string> expandOnAccessPaths(const std::vector<std::string>& paths,
                                             const std::string& passwd_path) {
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
    if (!homes_read) homes = userHomes(passwd_path);
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
      wanted =
          expandOnAccessPaths({policy_.on_access_paths().begin(), policy_.on_access_paths().end()});
    }
    if (wanted == on_access_roots_ && (on_access_ != nullptr) == !wanted.empty() &&
        (removable_ != nullptr) == removable) {
      return;
    }
  }
  std::unique_ptr<OnAccessWatcher> access = wanted.empty() ? nullptr : makeOnAccessWatcher(wanted);
  std::unique_ptr<RemovableMediaWatcher> media = removable ? makeRemovableWatcher() : nullptr;
  componentLogger("agent.scan")
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
  auto w = OnAccessWatcher::start(std::move(o),
                                  [this](std::vector<std::string> f) { onAccessFiles(f); });
  condition("on_access", w.isOk() ? Status::ok() : w.status());
  return w.isOk() ? std::move(w).value() : nullptr;
}

std::unique_ptr<RemovableMediaWatcher> ScanService::makeRemovableWatcher() {
  auto w = RemovableMediaWatcher::start([this](const std::string& m) { onRemovableMount(m); });
  if (w.isOk()) return std::move(w).value();
  componentLogger("agent.scan")->warn("removable media: {}", w.status().toString());
  return nullptr;
}

void ScanService::onAccessFiles(std::vector<std::string> files) {
  {
    std::lock_guard lock(mu_);
    for (auto& f : files) {
      if (access_queue_.size() >= kMaxQueuedFiles) {
        componentLogger("agent.scan")
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
    componentLogger("agent.scan")
        ->warn("removable media {} not scanned: {}", displayPath(mount_point),
               job.status().toString());
    return;
  }
  const std::string id = (*job)->request().scan_id;
  (*job)->start();
  jobs_[id] = std::move(job).value();
}

}  // namespace xiaoan::agent::scan
