#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "platform/result.h"
#include "platform/unique_fd.h"

// On-access scanning (issue 4): new and changed files in watched directories are handed to the
// scan service. Linux inotify: IN_CLOSE_WRITE (written and closed) and IN_MOVED_TO (moved or
// renamed in, e.g. a browser finishing a download) on every directory below each root, down to
// a depth limit; a directory created or moved in gets its own watch and its files (which may
// have been written before the watch existed) are reported once. A file is reported after it
// has been quiet for the debounce time, so one download is scanned once, not per write.

namespace xiaoan::agent::scan {

struct OnAccessOptions {
  std::vector<std::string> roots;        // absolute directories; missing ones are retried
  std::vector<std::string> never_watch;  // absolute prefixes (our own state directory)
  std::chrono::milliseconds debounce{500};
  std::chrono::milliseconds max_delay{5000};  // a file written without pause is still reported
  std::chrono::seconds retry_missing{60};
  uint32_t max_depth = 8;
  size_t max_watches = 8192;
  size_t max_pending = 10000;  // more files waiting: reported at once
};

class OnAccessWatcher {
 public:
  // Receives quiet files in batches, on the watcher thread: must not block.
  using Callback = std::function<void(std::vector<std::string> files)>;

  // inotify_init + the watches + the thread. E_IO when inotify is unavailable.
  static Result<std::unique_ptr<OnAccessWatcher>> start(OnAccessOptions options, Callback callback);
  ~OnAccessWatcher();
  OnAccessWatcher(const OnAccessWatcher&) = delete;
  OnAccessWatcher& operator=(const OnAccessWatcher&) = delete;

  // Directories watched now (status: watched_paths counts the roots that exist).
  size_t watchedDirectories() const;
  size_t watchedRoots() const;

 private:
  struct Pending {
    std::chrono::steady_clock::time_point due, first;
  };
  OnAccessWatcher(OnAccessOptions options, Callback callback, UniqueFd inotify, UniqueFd stop);
  void run();
  void addRoots();
  void addTree(const std::string& dir, uint32_t depth, bool report_files);
  void handle(const char* buffer, size_t length);
  void note(const std::string& path);
  void flushDue(bool all);
  int pollTimeoutMs() const;
  bool excluded(const std::string& path) const;

  const OnAccessOptions options_;
  const Callback callback_;
  UniqueFd inotify_, stop_;
  std::thread thread_;
  mutable std::mutex mu_;                                 // guards the counts read by other threads
  std::map<int, std::pair<std::string, uint32_t>> dirs_;  // wd -> (path, depth)
  std::set<std::string> roots_watched_;
  std::map<std::string, Pending> pending_;
  std::chrono::steady_clock::time_point next_retry_;
  bool limit_logged_ = false;
};

}  // namespace xiaoan::agent::scan
