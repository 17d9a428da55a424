#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "platform/mount_watcher.h"

namespace xiaoan::testing {

// The MountWatcher fake: the test mounts and unmounts by hand; wait() returns those changes,
// or blocks (real time, up to its timeout) until one or a wake. Thread-safe.
class FakeMountWatcher final : public MountWatcher {
 public:
  explicit FakeMountWatcher(std::vector<MountInfo> table = {}) : table_(std::move(table)) {}

  void mount(const MountInfo& m) {
    std::lock_guard lock(mu_);
    table_.push_back(m);
    queue_.push_back({MountChange::kAdded, m});
    cv_.notify_all();
  }
  void unmount(const std::string& mount_point) {
    std::lock_guard lock(mu_);
    for (auto it = table_.begin(); it != table_.end(); ++it) {
      if (it->mount_point != mount_point) continue;
      MountInfo gone = *it;
      gone.removable = false;  // as the contract says: unknown once removed
      queue_.push_back({MountChange::kRemoved, gone});
      table_.erase(it);
      break;
    }
    cv_.notify_all();
  }
  // wait() fails with E_IO from now on.
  void breakIt() {
    std::lock_guard lock(mu_);
    broken_ = true;
    cv_.notify_all();
  }
  int wakes() const {
    std::lock_guard lock(mu_);
    return wakes_;
  }

  std::vector<MountInfo> current() const override {
    std::lock_guard lock(mu_);
    return table_;
  }

  Result<std::vector<MountEvent>> wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || woken_ || broken_; });
    woken_ = false;
    if (broken_) return Status(ErrorCode::kIo, "fake mount watcher broken");
    std::vector<MountEvent> out(queue_.begin(), queue_.end());
    queue_.clear();
    return out;
  }

  void wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    ++wakes_;
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<MountInfo> table_;
  std::deque<MountEvent> queue_;
  int wakes_ = 0;
  bool woken_ = false, broken_ = false;
};

}  // namespace xiaoan::testing
