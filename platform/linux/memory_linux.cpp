#include <malloc.h>
#include <sys/mman.h>

#include <utility>

#include "platform/linux/posix_error.h"
#include "platform/memory.h"

namespace xiaoan {

MemoryRegion::~MemoryRegion() { reset(); }

MemoryRegion::MemoryRegion(MemoryRegion&& other) noexcept
    : addr_(std::exchange(other.addr_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MemoryRegion& MemoryRegion::operator=(MemoryRegion&& other) noexcept {
  if (this != &other) {
    reset();
    addr_ = std::exchange(other.addr_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void MemoryRegion::reset() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
  addr_ = nullptr;
  size_ = 0;
}

Result<MemoryRegion> allocatePages(size_t size) {
  if (size == 0) return MemoryRegion();
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return posixStatus("allocate " + std::to_string(size) + " bytes");
  return MemoryRegion(p, size);
}

Result<MemoryRegion> mapFileReadOnly(const File& file, size_t size) {
  if (size == 0) return MemoryRegion();
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, static_cast<int>(file.native()), 0);
  if (p == MAP_FAILED) return posixStatus("mmap");
  ::madvise(p, size, MADV_SEQUENTIAL);
  return MemoryRegion(p, size);
}

Result<CFilePtr> openMemoryStream(std::string_view bytes) {
  // fmemopen of zero bytes fails with EINVAL; an empty stream reads nothing either way.
  static char empty = 0;
  void* data = bytes.empty() ? &empty : const_cast<char*>(bytes.data());
  std::FILE* f = ::fmemopen(data, bytes.empty() ? 1 : bytes.size(), "r");
  if (f == nullptr) return posixStatus("open memory stream");
  if (bytes.empty()) (void)std::fgetc(f);  // positioned at the end
  return CFilePtr(f);
}

void trimHeap() { ::malloc_trim(0); }

}  // namespace xiaoan
