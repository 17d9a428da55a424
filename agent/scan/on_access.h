#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/file_watcher.h"

// On-access scanning (issue 4): new and changed files in watched directories are handed to the
// scan service. A FileWatcher (platform/file_watcher.h) reports files written and closed or
// moved in below each root, down to a depth limit, and the files already inside a directory
// created or moved in. A file is reported after it has been quiet for the debounce time, so one
// download is scanned once, not per write. Events lost by the OS make the roots themselves due
// (a pass over them, where the result cache skips what did not change).

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

// The FileWatcher settings for `options` (depth, watch bound, never_watch).
FileWatcherOptions fileWatcherOptions(const OnAccessOptions& options);

class OnAccessWatcher {
 public:
  // Receives quiet files in batches, on the watcher thread: must not block.
  using Callback = std::function<void(std::vector<std::string> files)>;

  // `clock` (its monotonic time) paces the debounce; it must outlive the watcher.
  OnAccessWatcher(OnAccessOptions options, std::unique_ptr<FileWatcher> watcher, const Clock& clock,
                  Callback callback);
  ~OnAccessWatcher();  // stops the thread (if started)
  OnAccessWatcher(const OnAccessWatcher&) = delete;
  OnAccessWatcher& operator=(const OnAccessWatcher&) = delete;

  // Watches the roots that exist, then runs step() on a thread of its own until destroyed.
  void start();

  // One round of that thread: waits for events (until the next file is due at most), notes
  // them, reports the files now quiet and retries missing roots when it is time. False when
  // the FileWatcher failed (the thread ends). Tests call it without start().
  bool step();

  // Directories watched now (status: watched_paths counts the roots that exist).
  size_t watchedDirectories() const;
  size_t watchedRoots() const;

 private:
  using Nanos = std::chrono::nanoseconds;  // monotonic time of the clock
  struct Pending {
    Nanos due, first;
  };
  void run();
  void addRoots();
  void handle(const FileEvent& event);
  void note(const std::string& path);
  void rescanRoots();
  void limitReached(const std::string& what);
  void flushDue(bool all);
  std::chrono::milliseconds waitTimeout() const;
  bool excluded(const std::string& path) const;
  Nanos now() const { return Nanos(clock_.monotonicNs()); }

  const OnAccessOptions options_;
  const std::unique_ptr<FileWatcher> watcher_;
  const Clock& clock_;
  const Callback callback_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;  // guards roots_watched_ (read by other threads)
  std::set<std::string> roots_watched_;
  std::map<std::string, Pending> pending_;
  Nanos next_retry_{0};
  bool limit_logged_ = false;
};

}  // namespace xiaoan::agent::scan
