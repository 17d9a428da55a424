#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "platform/file_watcher.h"

namespace xiaoan::testing {

// The FileWatcher fake: the test says which directories exist and pushes the events the OS
// would deliver. wait() returns what was pushed, or blocks (real time, up to its timeout)
// until a push or a wake. Thread-safe.
class FakeFileWatcher final : public FileWatcher {
 public:
  // A directory addTree() accepts (others are E_NOT_FOUND).
  void addDirectory(const std::string& dir) {
    std::lock_guard lock(mu_);
    existing_.insert(dir);
  }
  // addTree() fails with E_WATCH_LIMIT from now on.
  void setLimitReached(bool reached) {
    std::lock_guard lock(mu_);
    limit_ = reached;
  }
  // wait() fails with E_IO from now on.
  void breakIt() {
    std::lock_guard lock(mu_);
    broken_ = true;
    cv_.notify_all();
  }
  void push(FileEventKind kind, const std::string& path, bool is_directory = false) {
    std::lock_guard lock(mu_);
    queue_.push_back({kind, path, is_directory});
    if (kind == FileEventKind::kRootGone) watched_.erase(path);
    cv_.notify_all();
  }

  // What the code under test asked for.
  std::vector<std::string> addTreeCalls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::chrono::milliseconds lastTimeout() const {
    std::lock_guard lock(mu_);
    return last_timeout_;
  }
  int waits() const {
    std::lock_guard lock(mu_);
    return waits_;
  }

  Status addTree(const std::string& root, WatchScope) override {
    std::lock_guard lock(mu_);
    calls_.push_back(root);
    if (limit_) return Status(ErrorCode::kWatchLimit, "fake limit; not watching " + root);
    if (existing_.count(root) == 0) return Status(ErrorCode::kNotFound, "lstat " + root);
    watched_.insert(root);
    return Status::ok();
  }

  Result<std::vector<FileEvent>> wait(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    last_timeout_ = timeout;
    ++waits_;
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || woken_ || broken_; });
    woken_ = false;
    if (broken_) return Status(ErrorCode::kIo, "fake watcher broken");
    std::vector<FileEvent> out(queue_.begin(), queue_.end());
    queue_.clear();
    return out;
  }

  void wake() override {
    std::lock_guard lock(mu_);
    woken_ = true;
    cv_.notify_all();
  }

  size_t watchedDirectories() const override {
    std::lock_guard lock(mu_);
    return watched_.size();
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> existing_, watched_;
  std::deque<FileEvent> queue_;
  std::vector<std::string> calls_;
  std::chrono::milliseconds last_timeout_{-1};
  int waits_ = 0;
  bool woken_ = false, limit_ = false, broken_ = false;
};

}  // namespace xiaoan::testing
