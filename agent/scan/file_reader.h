#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "platform/file.h"
#include "platform/memory.h"
#include "platform/result.h"

// Brings one open file into memory for a scan thread: small files are read into a buffer the
// thread reuses, larger ones into anonymous memory of their own, given back at release(). A
// file is copied rather than mapped because a mapped file that another process truncates
// mid-scan raises SIGBUS in the agent (anyone can do that to a file in /tmp). Only files
// beyond kCopyLimitBytes (more than the policy's default size cap allows) are mapped, so as
// not to hold that much unreclaimable memory. Either way the pages count in the agent's RSS,
// so at most a few (by default one) big files are in memory at a time.

namespace xiaoan::agent::scan {

inline constexpr uint64_t kReadLimitBytes = 1ull << 20;    // the reused buffer up to this
inline constexpr uint64_t kCopyLimitBytes = 256ull << 20;  // copied up to this, mapped above
inline constexpr uint64_t kBigFileBytes = 32ull << 20;     // files this large share the gate

// Counts big files in flight across all scan threads of the engine.
class BigFileGate {
 public:
  explicit BigFileGate(unsigned slots) : free_(slots) {}
  // Waits for a slot; false (no slot taken) when `cancelled` is set and wakeAll() was called.
  bool acquire(const std::atomic<bool>& cancelled);
  void release();
  // Lets waiters re-check their cancel flag.
  void wakeAll();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned free_;
};

// Per scan thread; holds at most one file at a time.
class FileReader {
 public:
  FileReader(BigFileGate& gate, const std::atomic<bool>& cancelled)
      : gate_(gate), cancelled_(cancelled) {}
  ~FileReader() { release(); }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // The content of `fd`, which the walk saw as `walked`. E_NOT_FOUND when it is not that file
  // any more (other device, inode or size: replaced or changed); E_IO when reading fails. The
  // bytes stay valid until release() or the next load().
  Result<std::span<const uint8_t>> load(const File& file, const FileStat& walked);
  // True when the loaded file still has the size and mtime it had at load(); `*now` gets its
  // current stat.
  bool unchanged(const File& file, FileStat* now) const;
  void release();

 private:
  Result<std::span<const uint8_t>> readSmall(const File& file, uint64_t size);
  Result<std::span<const uint8_t>> loadLarge(const File& file, uint64_t size);

  BigFileGate& gate_;
  const std::atomic<bool>& cancelled_;
  std::vector<uint8_t> buffer_;
  MemoryRegion large_;  // a large file: anonymous memory it was read into, or its mapping
  bool holds_gate_ = false;
  FileStat loaded_;
};

}  // namespace xiaoan::agent::scan
