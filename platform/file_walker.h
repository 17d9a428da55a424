#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "platform/file.h"
#include "platform/result.h"

// Walks directory trees for scanning (OS seam). Directories are opened relative to their
// parent's descriptor, so paths longer than PATH_MAX work and a renamed parent cannot redirect
// the walk; symlinks are never followed; each (device, inode) is visited at most once per
// walk. Names are raw bytes (not necessarily UTF-8).

namespace xiaoan {

// A regular file found by the walk. The strings and the descriptor are valid during the
// callback only.
struct WalkEntry {
  NativeHandle dir = kInvalidHandle;  // the directory holding the file: see openWalkEntry()
  std::string_view name;              // entry name in `dir`; NUL-terminated (usable as a C string)
  std::string_view path;  // full path (root + names), for display and external variables
  FileStat stat;
  uint32_t depth = 0;  // 1 = directly in a root directory (0 = the root itself is a file)
};

// Why an entry was not yielded.
enum class WalkSkip {
  kNotRegular,       // symlink (never followed, also on the way to a root), device, FIFO, socket
  kExcluded,         // matched an exclusion; a directory is not entered
  kOtherFileSystem,  // one_file_system: a directory on another device, not entered
  kDuplicate,        // (device, inode) already visited in this walk (hard link, bind mount)
  kTooDeep,          // directory deeper than max_depth; count = its entries (when listable)
  kUnreadable,       // an entry that cannot be examined (lstat: EACCES, EIO)
  kDirUnreadable,    // a directory that cannot be opened or listed; its files are unknown
  kVanished,         // gone or replaced between listing and examining it
};

std::string_view walkSkipName(WalkSkip reason);  // "not_regular", "too_deep", ...

class WalkVisitor {
 public:
  virtual ~WalkVisitor() = default;
  // A regular file; return false to end the walk.
  virtual bool onFile(const WalkEntry& entry) = 0;
  // `count` entries under `path` were not yielded (1 except for kTooDeep); `err` is the errno
  // when one applies.
  virtual void onSkip(WalkSkip reason, std::string_view path, uint64_t count, int err) = 0;
};

struct WalkOptions {
  // Absolute path prefixes ("/home/u/.cache": that path and everything below it) or fnmatch
  // globs (any of * ? [): a glob with a '/' is matched against the full path, one without
  // against the entry name ("*.iso").
  std::vector<std::string> exclusions;
  // Directories more than max_depth levels below a root are not entered (kTooDeep).
  uint32_t max_depth = 64;
  // Do not enter directories on another device than their root's (removable media).
  bool one_file_system = false;
  // Absolute directories the roots must lie in (on-access: the watched roots). A root below
  // one of them is opened from it (openParentNoFollow's `beneath`), so the walk cannot leave
  // that tree; a root outside all of them is not walked (kExcluded). Empty: every root is
  // opened from "/", still without following a symlink on the way.
  std::vector<std::string> confine;
};

class FileWalker {
 public:
  virtual ~FileWalker() = default;
  // Walks each root (an absolute path to a directory or a file) until done, `stop` is set or
  // the visitor returns false. Every component of a root's path is opened without following a
  // symlink ("." and ".." are resolved by the text): a root that is a symlink, or whose path
  // holds one (a parent directory swapped for a link to somewhere else), is not walked
  // (kNotRegular). Problems with entries go to the visitor; the Status fails only for
  // unusable arguments.
  virtual Status walk(const std::vector<std::string>& roots, const WalkOptions& options,
                      WalkVisitor& visitor, const std::atomic<bool>& stop) = 0;
};

// The implementation for the OS this binary was built for.
std::unique_ptr<FileWalker> makeFileWalker();

// Opens a file the walk yielded, relative to its directory, for reading: never through a
// symlink, never blocking (a FIFO swapped in) and never as a controlling terminal (check
// File::stat() against entry.stat to be sure it is still the file that was walked).
Result<File> openWalkEntry(const WalkEntry& entry);

}  // namespace xiaoan
