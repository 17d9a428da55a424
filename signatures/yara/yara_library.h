#pragma once

#include "platform/memory.h"
#include "platform/result.h"

// libyara's process-wide state (yr_initialize / yr_finalize) behind a reference count, so
// every owner of rules or scanners keeps the library alive and the last one tears it down.
// libyara's own counter is not thread-safe; this one is.

namespace xiaoan::sig {

// Gives the pages of freed heap memory back to the system; called after a compile or a scan
// freed tens of MB in small blocks (the OS seam's trimHeap).
using ::xiaoan::trimHeap;

class YaraLibraryRef {
 public:
  // Initializes libyara on the first live reference. E_INTERNAL when yr_initialize fails.
  static Result<YaraLibraryRef> acquire();

  YaraLibraryRef(YaraLibraryRef&& other) noexcept : held_(other.held_) { other.held_ = false; }
  YaraLibraryRef& operator=(YaraLibraryRef&& other) noexcept;
  YaraLibraryRef(const YaraLibraryRef&) = delete;
  YaraLibraryRef& operator=(const YaraLibraryRef&) = delete;
  ~YaraLibraryRef() { release(); }

 private:
  YaraLibraryRef() = default;
  void release();
  bool held_ = false;
};

}  // namespace xiaoan::sig
