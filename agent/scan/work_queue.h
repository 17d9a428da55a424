#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "platform/file_walker.h"

// The walker's hand-over to the scan threads: a bounded ring of open files. Slots keep their
// path strings, which are swapped with the consumer's, so steady state allocates nothing.

namespace xiaoan::agent::scan {

struct WorkItem {
  File file;
  std::string path;        // raw bytes
  size_t name_offset = 0;  // the entry name is path.substr(name_offset)
  FileStat stat;           // as the walk saw it
  std::string_view name() const { return std::string_view(path).substr(name_offset); }
};

class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : slots_(capacity) {}

  // Blocks while full; false when aborted (the file is closed).
  bool push(File file, std::string_view path, size_t name_offset, const FileStat& stat);
  // Blocks while empty; false when closed and drained, or aborted.
  bool pop(WorkItem* out);
  // No more pushes; consumers drain what is left.
  void close();
  // Everyone returns; items left are dropped (their descriptors closed).
  void abort();

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::vector<WorkItem> slots_;
  size_t head_ = 0, count_ = 0;
  bool closed_ = false, aborted_ = false;
};

}  // namespace xiaoan::agent::scan
