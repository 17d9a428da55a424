#include "agent/scan/file_reader.h"

#include <utility>

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

Result<std::span<const uint8_t>> FileReader::load(const File& file, const FileStat& walked) {
  release();
  XIAOAN_ASSIGN_OR_RETURN(loaded_, file.stat());
  if (loaded_.dev != walked.dev || loaded_.ino != walked.ino || loaded_.size != walked.size) {
    return Status(ErrorCode::kNotFound, "changed since the walk");
  }
  if (loaded_.size == 0) return std::span<const uint8_t>();
  if (loaded_.size <= kReadLimitBytes) return readSmall(file, loaded_.size);
  return loadLarge(file, loaded_.size);
}

namespace {

// Reads `size` bytes from the start of `file`. E_NOT_FOUND when the file is shorter now.
Status readAll(const File& file, uint8_t* out, uint64_t size) {
  XIAOAN_ASSIGN_OR_RETURN(size_t got, file.readAt(out, size, 0));
  if (got < size) return Status(ErrorCode::kNotFound, "shrank while being read");
  return Status::ok();
}

}  // namespace

Result<std::span<const uint8_t>> FileReader::readSmall(const File& file, uint64_t size) {
  if (buffer_.size() < size) buffer_.resize(size);
  XIAOAN_RETURN_IF_ERROR(readAll(file, buffer_.data(), size));
  return std::span<const uint8_t>(buffer_.data(), size);
}

Result<std::span<const uint8_t>> FileReader::loadLarge(const File& file, uint64_t size) {
  if (size >= kBigFileBytes) {
    if (!gate_.acquire(cancelled_)) return Status(ErrorCode::kCancelled, "scan stopped");
    holds_gate_ = true;
  }
  // Up to kCopyLimitBytes the file is copied: a mapping of a file that someone truncates
  // mid-scan would fault the agent (anyone can do that in /tmp).
  const bool copy = size <= kCopyLimitBytes;
  auto region = copy ? allocatePages(size) : mapFileReadOnly(file, size);
  if (!region.isOk()) {
    release();
    return region.status();
  }
  large_ = std::move(region).value();
  if (copy) {
    Status st = readAll(file, large_.data(), size);
    if (!st.isOk()) {
      release();
      return st;
    }
  }
  return std::span<const uint8_t>(large_.data(), size);
}

bool FileReader::unchanged(const File& file, FileStat* now) const {
  auto st = file.stat();
  if (!st.isOk()) return false;
  *now = *st;
  return now->size == loaded_.size && now->mtime_ns == loaded_.mtime_ns;
}

void FileReader::release() {
  large_.reset();
  if (holds_gate_) {
    holds_gate_ = false;
    gate_.release();
  }
}

}  // namespace xiaoan::agent::scan
