#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/result.h"
#include "service/collector/store/store.h"

namespace xiaoan::collector {

// One unit of database work for the writer (an event batch, a check-in, an enrollment).
class WriteJob {
 public:
  virtual ~WriteJob() = default;
  // Memory the job holds while queued (bounds the queue).
  virtual size_t costBytes() const = 0;
  // Rows the job writes (bounds a group commit).
  virtual size_t rowCount() const { return 1; }
  // Runs inside the group's transaction, in its own savepoint. A non-OK result rolls back
  // only this job.
  virtual Status apply(WriteTxn& txn) = 0;
  // Called once: OK only after the transaction holding the job's writes has committed.
  virtual void complete(const Status& status) = 0;
};

struct WriterOptions {
  size_t max_queue_jobs = 1024;
  size_t max_queue_bytes = size_t{64} * 1024 * 1024;
  // Group commit: up to this many jobs / rows share one transaction (one fsync).
  size_t max_group_jobs = 64;
  size_t max_group_rows = 20'000;
};

struct WriterStats {
  uint64_t jobs_committed = 0;
  uint64_t jobs_failed = 0;
  uint64_t transactions = 0;
  uint64_t rejected_full = 0;
};

// The single database writer: a thread that takes jobs from a bounded queue and commits them
// in groups. Requests are answered only after their group committed (I5).
class IngestWriter {
 public:
  IngestWriter(std::unique_ptr<Store> store, WriterOptions options);
  ~IngestWriter();
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  void start();
  // Queues the job; false (job untouched, not completed) when the queue is full or the writer
  // is stopping: the caller answers 503 + Retry-After.
  bool trySubmit(std::unique_ptr<WriteJob>& job);
  // Refuses new jobs, commits everything already queued, joins the thread. Idempotent.
  void stop();
  WriterStats stats() const;

 private:
  using Group = std::vector<std::unique_ptr<WriteJob>>;
  void run();
  Group takeGroup(std::unique_lock<std::mutex>& lock);
  void commitGroup(Group& group);
  Status applyAll(WriteTxn& txn, Group& group, std::vector<Status>& results);

  std::unique_ptr<Store> store_;
  const WriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<WriteJob>> queue_;
  size_t queued_bytes_ = 0;
  bool stopping_ = false;
  WriterStats stats_;
  std::thread thread_;
};

}  // namespace xiaoan::collector
