#include "agent/scan/file_reader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace xiaoan::agent::scan {

bool BigFileGate::acquire(const std::atomic<bool>& cancelled) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return free_ > 0 || cancelled.load(); });
  if (free_ == 0) return false;
  --free_;
  return true;
}

void BigFileGate::release() {
  {
    std::lock_guard lock(mu_);
    ++free_;
  }
  cv_.notify_one();
}

void BigFileGate::wakeAll() {
  // Taking the lock orders the caller's flag store before the waiters' re-check.
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

Result<std::span<const uint8_t>> FileReader::load(int fd, const FileStat& walked) {
  release();
  XIAOAN_ASSIGN_OR_RETURN(loaded_, fstatFile(fd));
  if (loaded_.dev != walked.dev || loaded_.ino != walked.ino || loaded_.size != walked.size) {
    return Status(ErrorCode::kNotFound, "changed since the walk");
  }
  if (loaded_.size == 0) return std::span<const uint8_t>();
  if (loaded_.size <= kReadLimitBytes) return readSmall(fd, loaded_.size);
  return loadLarge(fd, loaded_.size);
}

namespace {

// Reads `size` bytes from the start of `fd`. E_NOT_FOUND when the file is shorter now.
Status readAll(int fd, uint8_t* out, uint64_t size) {
  uint64_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, out + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoStatus(ErrorCode::kIo, "read");
    if (n == 0) return Status(ErrorCode::kNotFound, "shrank while being read");
    got += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

}  // namespace

Result<std::span<const uint8_t>> FileReader::readSmall(int fd, uint64_t size) {
  if (buffer_.size() < size) buffer_.resize(size);
  XIAOAN_RETURN_IF_ERROR(readAll(fd, buffer_.data(), size));
  return std::span<const uint8_t>(buffer_.data(), size);
}

Result<std::span<const uint8_t>> FileReader::loadLarge(int fd, uint64_t size) {
  if (size >= kBigFileBytes) {
    if (!gate_.acquire(cancelled_)) return Status(ErrorCode::kCancelled, "scan stopped");
    holds_gate_ = true;
  }
  const bool copy = size <= kCopyLimitBytes;
  void* p = copy ? ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                 : ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    Status st = errnoStatus(ErrorCode::kIo, "mmap");
    release();
    return st;
  }
  map_ = p;
  map_len_ = size;
  if (copy) {
    Status st = readAll(fd, static_cast<uint8_t*>(p), size);
    if (!st.isOk()) {
      release();
      return st;
    }
  } else {
    ::madvise(p, size, MADV_SEQUENTIAL);
  }
  return std::span<const uint8_t>(static_cast<const uint8_t*>(p), size);
}

bool FileReader::unchanged(int fd, FileStat* now) const {
  auto st = fstatFile(fd);
  if (!st.isOk()) return false;
  *now = *st;
  return now->size == loaded_.size && now->mtime_ns == loaded_.mtime_ns;
}

void FileReader::release() {
  if (map_ != nullptr) {
    ::munmap(map_, map_len_);
    map_ = nullptr;
    map_len_ = 0;
  }
  if (holds_gate_) {
    holds_gate_ = false;
    gate_.release();
  }
}

}  // namespace xiaoan::agent::scan
