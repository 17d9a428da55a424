#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

// Files and directories (OS seam). Every open is close-on-exec and, unless asked otherwise,
// never follows a symlink in its last component; directory-relative calls (`openAt`,
// `statAt`, `unlinkAt`, `renameAt`) take one entry name, never a path, so a directory opened
// once cannot be redirected by someone renaming its parents. Errors carry the OS error number
// (Status::sysErrno) and map ENOENT to E_NOT_FOUND, EACCES/EPERM to E_PERMISSION_DENIED and
// EEXIST to E_EXISTS; everything else is E_IO. Names are raw bytes (not necessarily UTF-8).

namespace xiaoan {

// A file descriptor on POSIX, a HANDLE on Windows.
using NativeHandle = intptr_t;
inline constexpr NativeHandle kInvalidHandle = -1;

// What lstat/fstat says of a file (never through a symlink unless asked).
struct FileStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  uint64_t nlink = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t mode = 0;  // st_mode: type and permission bits (POSIX layout on every OS)

  bool isRegular() const { return (mode & 0170000) == 0100000; }
  bool isDirectory() const { return (mode & 0170000) == 0040000; }
  bool isSymlink() const { return (mode & 0170000) == 0120000; }
};

// A file's identity on this machine.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId&) const = default;
};
struct FileIdHash {
  size_t operator()(const FileId& id) const noexcept {
    return static_cast<size_t>((id.ino * 0x9E3779B97F4A7C15ull) ^ id.dev);
  }
};

enum class OpenAccess { kRead, kWrite, kReadWrite };
enum class OpenCreate {
  kExisting,  // the file must exist (E_NOT_FOUND)
  kCreate,    // open it, or create it when absent
  kNew,       // create it; E_EXISTS when something is there already (even a symlink)
  kTruncate,  // create it or cut an existing one to zero bytes
};

struct OpenOptions {
  OpenAccess access = OpenAccess::kRead;
  OpenCreate create = OpenCreate::kExisting;
  bool follow_symlink = false;  // follow a symlink in the last component
  bool directory = false;       // must be a directory (for openAt, statAt, listDir, ...)
  bool no_ctty = true;          // a terminal device does not become our controlling terminal
  bool non_blocking = false;    // the open itself never waits (a FIFO swapped in for a file)
  unsigned mode = 0600;         // permission bits of a created file (umask applies)

  static OpenOptions read() { return {}; }
  static OpenOptions readFollow() {
    OpenOptions o;
    o.follow_symlink = true;
    return o;
  }
  static OpenOptions dir() {
    OpenOptions o;
    o.directory = true;
    return o;
  }
  static OpenOptions write(OpenCreate create, unsigned mode = 0600) {
    OpenOptions o;
    o.access = OpenAccess::kWrite;
    o.create = create;
    o.mode = mode;
    return o;
  }
  static OpenOptions readWrite(OpenCreate create, unsigned mode = 0600) {
    OpenOptions o = write(create, mode);
    o.access = OpenAccess::kReadWrite;
    return o;
  }
};

// An open file or directory. Move-only; closes its handle exactly once.
class File {
 public:
  File() = default;
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;

  // Opens `path` (absolute or relative to the working directory).
  static Result<File> open(const std::string& path, const OpenOptions& options = {});
  // Takes ownership of a handle opened elsewhere (platform implementations only).
  static File adopt(NativeHandle handle) { return File(handle); }

  // Opens the entry `name` of this directory. `name` must be one path component.
  Result<File> openAt(const std::string& name, const OpenOptions& options = {}) const;

  bool valid() const { return handle_ != kInvalidHandle; }
  NativeHandle native() const { return handle_; }
  void close();

  // Reads up to n bytes at the current position; 0 at the end of the file.
  Result<size_t> read(void* buf, size_t n);
  // Reads up to n bytes at `offset` without moving the position; fewer only at the end.
  Result<size_t> readAt(void* buf, size_t n, uint64_t offset) const;
  // Reads the whole file from the start, E_TOO_LARGE past max_bytes.
  Result<std::string> readAll(size_t max_bytes);
  // Writes all of `data` at the current position / at `offset`.
  Status writeAll(std::string_view data);
  Status writeAllAt(std::string_view data, uint64_t offset);
  // Moves the position to the end (returns it) or to the start.
  Result<uint64_t> seekEnd();
  Status rewind();
  // Durability: sync() flushes data and metadata, dataSync() data and the size. For a
  // directory, sync() makes created, renamed and removed entries durable.
  Status sync();
  Status dataSync();
  Status truncate(uint64_t size);
  Result<FileStat> stat() const;
  Status setMode(unsigned mode);
  Status setOwner(uint32_t uid, uint32_t gid);
  Status setModificationTime(int64_t mtime_ns);
  // An exclusive advisory lock held until the handle is closed; E_ALREADY_RUNNING when another
  // open file description holds it (never waits).
  Status tryLockExclusive();

 private:
  explicit File(NativeHandle handle) : handle_(handle) {}
  NativeHandle handle_ = kInvalidHandle;
};

// ---- Directory-relative operations (`dir` opened with OpenOptions::dir()).

// lstat of the entry `name` (never follows it).
Result<FileStat> statAt(const File& dir, const std::string& name);
// Removes the entry `name` (a file, or an empty directory when `directory`).
Status unlinkAt(const File& dir, const std::string& name, bool directory = false);
enum class RenameMode { kReplace, kNoReplace };
// Renames within or across directories of one file system; kNoReplace fails with E_EXISTS
// when the target exists (E_UNSUPPORTED where the file system cannot say so atomically).
Status renameAt(const File& from_dir, const std::string& from, const File& to_dir,
                const std::string& to, RenameMode mode = RenameMode::kReplace);
// A second name for an existing file; E_EXISTS when `to` exists.
Status linkAt(const File& from_dir, const std::string& from, const File& to_dir,
              const std::string& to);
// Entry names of a directory, without "." and "..", in no particular order.
Result<std::vector<std::string>> listDir(const File& dir);

// ---- Path operations.

Result<std::vector<std::string>> listDir(const std::string& path);
// lstat (follow = false) or stat of a path.
Result<FileStat> statPath(const std::string& path, bool follow = false);
bool pathExists(const std::string& path);
// Bytes an unprivileged writer may still use on the file system holding `path` (statvfs
// f_bavail; what root may use beyond it is the file system's own reserve).
Result<uint64_t> availableSpace(const std::string& path);
// Removes a file (E_NOT_FOUND when absent).
Status removeFile(const std::string& path);
// rename(2): replaces `to` atomically.
Status renamePath(const std::string& from, const std::string& to);
Status setPathMode(const std::string& path, unsigned mode);

// Opens the directory holding the absolute `path` one component at a time from "/", never
// following a symlink and never leaving `beneath` (an absolute directory path; "/" for none):
// a component that is a symlink or not a directory is E_PERMISSION_DENIED with ELOOP/ENOTDIR
// in sysErrno. Sets `*name` to the last component. Uses the kernel's RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS lookup where it has one.
Result<File> openParentNoFollow(const std::string& path, std::string* name,
                                const std::string& beneath = "/");

}  // namespace xiaoan
