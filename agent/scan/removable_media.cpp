#include "agent/scan/removable_media.h"

#include <algorithm>
#include <chrono>

#include "agent/scan/path_text.h"
#include "platform/logging.h"

namespace xiaoan::agent::scan {
namespace {

constexpr const char* kMediaRoots[] = {"/media/", "/run/media/", "/mnt/"};
constexpr const char* kMediaFsTypes[] = {"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk"};
constexpr auto kWaitAtMost = std::chrono::minutes(10);  // a wake ends the wait earlier

}  // namespace

bool isRemovableMount(const MountInfo& m) {
  const bool media_dir =
      std::any_of(std::begin(kMediaRoots), std::end(kMediaRoots),
                  [&](const char* root) { return m.mount_point.rfind(root, 0) == 0; });
  if (!media_dir) return false;
  const bool media_fs = std::find(std::begin(kMediaFsTypes), std::end(kMediaFsTypes), m.fs_type) !=
                        std::end(kMediaFsTypes);
  return media_fs || m.removable;
}

RemovableMediaWatcher::RemovableMediaWatcher(std::unique_ptr<MountWatcher> mounts,
                                             Callback callback, Filter is_media)
    : mounts_(std::move(mounts)),
      callback_(std::move(callback)),
      is_media_(is_media ? std::move(is_media) : Filter(isRemovableMount)) {
  thread_ = std::thread([this] { run(); });
}

RemovableMediaWatcher::~RemovableMediaWatcher() {
  stopping_ = true;
  mounts_->wake();
  if (thread_.joinable()) thread_.join();
}

void RemovableMediaWatcher::run() {
  while (!stopping_) {
    auto events = mounts_->wait(kWaitAtMost);
    if (!events.isOk()) {
      componentLogger(LogComponent::kAgentScan)
          ->error("removable media: {}", events.status().toString());
      return;
    }
    for (const auto& e : *events) {
      if (e.change != MountChange::kAdded || !is_media_(e.mount)) continue;
      componentLogger(LogComponent::kAgentScan)
          ->info("removable media mounted at {} ({}, {})", displayPath(e.mount.mount_point),
                 e.mount.fs_type, displayPath(e.mount.device));
      callback_(e.mount.mount_point);
    }
  }
}

}  // namespace xiaoan::agent::scan
