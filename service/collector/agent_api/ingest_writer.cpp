#include "service/collector/agent_api/ingest_writer.h"

#include "platform/logging.h"

namespace xiaoan::collector {
namespace {

Status guardedApply(WriteJob& job, WriteTxn& txn) {
  try {
    return job.apply(txn);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kInternal, std::string("write job threw: ") + e.what());
  }
}

void guardedComplete(WriteJob& job, const Status& status) {
  try {
    job.complete(status);
  } catch (const std::exception& e) {
    componentLogger(LogComponent::kCollectorIngest)->error("completion threw: {}", e.what());
  }
}

}  // namespace

IngestWriter::IngestWriter(std::unique_ptr<Store> store, WriterOptions options)
    : store_(std::move(store)), options_(options) {}

IngestWriter::~IngestWriter() { stop(); }

void IngestWriter::start() {
  thread_ = std::thread([this] { run(); });
}

bool IngestWriter::trySubmit(std::unique_ptr<WriteJob>& job) {
  {
    std::lock_guard lock(mu_);
    size_t cost = job->costBytes();
    // An oversized job is still taken when the queue is empty, so it can make progress.
    bool full = queue_.size() >= options_.max_queue_jobs ||
                (!queue_.empty() && queued_bytes_ + cost > options_.max_queue_bytes);
    if (stopping_ || full) {
      ++stats_.rejected_full;
      return false;
    }
    queued_bytes_ += cost;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void IngestWriter::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WriterStats IngestWriter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void IngestWriter::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    Group group = takeGroup(lock);
    lock.unlock();
    commitGroup(group);
    lock.lock();
  }
}

IngestWriter::Group IngestWriter::takeGroup(std::unique_lock<std::mutex>& /*held*/) {
  Group group;
  size_t rows = 0;
  while (!queue_.empty() && group.size() < options_.max_group_jobs) {
    size_t next_rows = queue_.front()->rowCount();
    if (!group.empty() && rows + next_rows > options_.max_group_rows) break;
    rows += next_rows;
    queued_bytes_ -= queue_.front()->costBytes();
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return group;
}

// Applies every job in its own savepoint. A job's own failure rolls back just that job; a
// failure of the savepoint machinery means the transaction is unusable and is returned.
Status IngestWriter::applyAll(WriteTxn& txn, Group& group, std::vector<Status>& results) {
  for (auto& job : group) {
    XIAOAN_RETURN_IF_ERROR(txn.savepoint());
    Status st = guardedApply(*job, txn);
    if (st.isOk()) {
      XIAOAN_RETURN_IF_ERROR(txn.releaseSavepoint());
    } else {
      XIAOAN_RETURN_IF_ERROR(txn.rollbackToSavepoint());
    }
    results.push_back(std::move(st));
  }
  return Status::ok();
}

void IngestWriter::commitGroup(Group& group) {
  std::vector<Status> results;
  results.reserve(group.size());
  Status st = Status::ok();
  {
    auto txn = store_->beginWrite();
    st = txn.isOk() ? applyAll(**txn, group, results) : txn.status();
    if (st.isOk()) st = (*txn)->commit();
  }  // an uncommitted transaction rolls back here
  if (!st.isOk()) {
    componentLogger(LogComponent::kCollectorIngest)
        ->error("group commit of {} jobs failed: {}", group.size(), st.toString());
  }
  uint64_t ok = 0;
  for (size_t i = 0; i < group.size(); ++i) {
    // Nothing of a failed transaction is stored: every job of it fails.
    const Status& result = !st.isOk() ? st : results[i];
    ok += result.isOk() ? 1 : 0;
    guardedComplete(*group[i], result);
  }
  std::lock_guard lock(mu_);
  ++stats_.transactions;
  stats_.jobs_committed += ok;
  stats_.jobs_failed += group.size() - ok;
}

}  // namespace xiaoan::collector
