#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "platform/file.h"
#include "platform/result.h"

// The file a scan thread is scanning, recorded before the scan and cleared after it, so that
// after a crash (or a hang that got the agent killed) the next start knows which file did it.
// One small file per scan thread; written in place and never fsynced: the page cache
// survives the death of the process, which is the case this is for.

namespace xiaoan::agent::scan {

struct InflightFile {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_ns = 0;
  uint64_t bundle_version = 0;
  std::string path;  // raw bytes
};

class CrashMarker {
 public:
  // Creates (or truncates) the marker file `path`.
  static Result<CrashMarker> create(std::string path);
  CrashMarker(CrashMarker&&) noexcept = default;
  CrashMarker& operator=(CrashMarker&&) noexcept = default;
  // Removes the marker file.
  ~CrashMarker();

  Status set(const InflightFile& file);
  Status clear();

 private:
  CrashMarker(std::string path, File file) : path_(std::move(path)), file_(std::move(file)) {}
  std::string path_;
  File file_;
  std::string buf_;  // reused record buffer
};

// Markers left in `dir` by a previous process ("inflight.*"): `record` is called with each
// file they name (valid records only). A marker is removed once `record` succeeded (so a crash
// that could not be saved is seen again at the next start), and at once when unreadable.
void takeLeftoverMarkers(const std::string& dir,
                         const std::function<Status(const InflightFile&)>& record);

}  // namespace xiaoan::agent::scan
