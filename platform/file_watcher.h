#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"

// Change notification for directory trees (OS seam): what was written, moved in or created
// below a set of watched directories, with full paths, so that files can be scanned as they
// arrive. Linux: inotify, one watch per directory, kept up to date as directories come and go.
// Names are raw bytes (not necessarily UTF-8).

namespace xiaoan {

enum class FileEventKind {
  kClosedAfterWrite,  // a file opened for writing was closed (its content may have changed)
  kMovedIn,           // a file or directory was renamed into a watched directory
  kCreated,           // a file or directory was created (a file's content follows later)
  // A file that was already in a directory when the directory got its watch (it was created or
  // moved into a tree): it may have been written before anything could report it.
  kFound,
  kOverflow,    // events were lost (the OS queue was full): rescan what matters; path empty
  kRootGone,    // a directory given to addTree was deleted or moved away; no longer watched
  kWatchLimit,  // `path`, a new directory, is not watched: the watch limit is reached
};

struct FileEvent {
  FileEventKind kind = FileEventKind::kCreated;
  std::string path;  // watched directory + "/" + entry name (for kRootGone: the root)
  bool is_directory = false;
};

struct FileWatcherOptions {
  // Directories more than max_depth levels below a tree's root are not watched (0: only the
  // root itself, even for WatchScope::kTree).
  uint32_t max_depth = 8;
  // Directories watched at most over all trees (each costs kernel memory on Linux).
  size_t max_watches = 8192;
  // Absolute path prefixes (a path and everything below it) never watched nor reported.
  std::vector<std::string> exclusions;
};

enum class WatchScope {
  kDirectory,  // the directory's own entries only
  kTree,       // and every directory below it (down to max_depth), also those created later
};

// Threading: addTree() and wait() are called by one thread at a time (the watching thread);
// wake() and watchedDirectories() from any thread.
class FileWatcher {
 public:
  virtual ~FileWatcher() = default;

  // Starts watching the directory `root` (absolute; a symlink is not followed). Errors:
  // E_NOT_FOUND when it does not exist, E_INVALID_ARGUMENT when it is not a directory,
  // E_PERMISSION_DENIED; E_WATCH_LIMIT when max_watches or the OS limit (Linux:
  // fs.inotify.max_user_watches, the message says which) stopped the watch part way: what
  // was watched stays watched.
  virtual Status addTree(const std::string& root, WatchScope scope) = 0;

  // Waits up to `timeout` (or until wake()) for events and returns them; empty after a
  // timeout or a wake. E_IO when the OS facility fails (the watcher is unusable then).
  virtual Result<std::vector<FileEvent>> wait(std::chrono::milliseconds timeout) = 0;

  // Ends a wait() in progress at once, or else the next one.
  virtual void wake() = 0;

  // Directories watched now.
  virtual size_t watchedDirectories() const = 0;
};

// The implementation for the OS this binary was built for. E_IO when the OS facility is
// unavailable (Linux: inotify_init1 fails, e.g. the per-user instance limit is reached).
Result<std::unique_ptr<FileWatcher>> makeFileWatcher(FileWatcherOptions options);

}  // namespace xiaoan
