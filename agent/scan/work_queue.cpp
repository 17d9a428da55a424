#include "agent/scan/work_queue.h"

namespace xiaoan::agent::scan {

bool WorkQueue::push(File file, std::string_view path, size_t name_offset, const FileStat& stat) {
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return count_ < slots_.size() || aborted_; });
  if (aborted_) return false;
  WorkItem& slot = slots_[(head_ + count_) % slots_.size()];
  slot.file = std::move(file);
  slot.path.assign(path);
  slot.name_offset = name_offset;
  slot.stat = stat;
  ++count_;
  lock.unlock();
  not_empty_.notify_one();
  return true;
}

bool WorkQueue::pop(WorkItem* out) {
  std::unique_lock lock(mu_);
  not_empty_.wait(lock, [&] { return count_ > 0 || closed_ || aborted_; });
  if (aborted_ || count_ == 0) return false;
  WorkItem& slot = slots_[head_];
  out->file = std::move(slot.file);
  out->path.swap(slot.path);
  out->name_offset = slot.name_offset;
  out->stat = slot.stat;
  head_ = (head_ + 1) % slots_.size();
  --count_;
  lock.unlock();
  not_full_.notify_one();
  return true;
}

void WorkQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

void WorkQueue::abort() {
  {
    std::lock_guard lock(mu_);
    aborted_ = true;
    for (WorkItem& slot : slots_) slot.file.close();
    count_ = 0;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

}  // namespace xiaoan::agent::scan
