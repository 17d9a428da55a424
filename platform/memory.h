#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string_view>

#include "platform/file.h"
#include "platform/result.h"

// Memory straight from the OS (OS seam): page-backed blocks that go back to the OS when
// released, read-only file mappings, and giving freed heap back.

namespace xiaoan {

// A writable anonymous block or a read-only mapping of a file. Move-only; unmapped once.
class MemoryRegion {
 public:
  MemoryRegion() = default;
  ~MemoryRegion();
  MemoryRegion(const MemoryRegion&) = delete;
  MemoryRegion& operator=(const MemoryRegion&) = delete;
  MemoryRegion(MemoryRegion&& other) noexcept;
  MemoryRegion& operator=(MemoryRegion&& other) noexcept;

  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }
  size_t size() const { return size_; }
  bool empty() const { return addr_ == nullptr; }
  void reset();

 private:
  friend Result<MemoryRegion> allocatePages(size_t size);
  friend Result<MemoryRegion> mapFileReadOnly(const File& file, size_t size);
  MemoryRegion(void* addr, size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// `size` zeroed bytes of anonymous memory, returned to the OS (not to the heap) on reset.
Result<MemoryRegion> allocatePages(size_t size);
// The first `size` bytes of `file`, mapped read-only and marked for sequential reading. Reading
// past the end of a file that someone truncated meanwhile faults (SIGBUS on Linux): map only
// files nobody else can write, or copy into allocatePages() instead.
Result<MemoryRegion> mapFileReadOnly(const File& file, size_t size);

// A read-only C stream over `bytes`, for C libraries that read a FILE* (libyara's compiler).
// `bytes` must outlive the stream.
struct CFileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using CFilePtr = std::unique_ptr<std::FILE, CFileCloser>;
Result<CFilePtr> openMemoryStream(std::string_view bytes);

// Returns free heap memory to the OS where the allocator supports it (glibc malloc_trim).
void trimHeap();

}  // namespace xiaoan
