#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "platform/clock.h"
#include "platform/result.h"
#include "service/collector/store/store.h"

// Retention (issue 12): deletes what every school has kept long enough, never sooner than the
// county floors, in small write transactions so that ingest keeps flowing.
namespace xiaoan::collector {

struct RetentionOptions {
  // Rows per write transaction at most; the batch halves while one holds the writer longer
  // than target_hold and grows back when it is quick.
  uint32_t batch_rows = 2000;
  std::chrono::milliseconds target_hold{50};
  // Pause between batches, so the ingest writer gets the lock (SQLite's busy handler does not
  // queue waiters fairly).
  std::chrono::milliseconds pause{10};
};

// Days each kind of record is kept in one school: its school layer over the built-in defaults,
// raised to the floors (a layer stored before the floors were checked cannot lower them).
struct RetentionDays {
  uint32_t browsing = 0;
  uint32_t security = 0;
  uint32_t sessions = 0;
  uint32_t activity = 0;
};
RetentionDays retentionDaysOf(const std::string& school_policy_bytes);

// What one pass deleted.
struct RetentionTableCount {
  uint64_t deleted = 0;
  uint64_t scanned = 0;
};
struct RetentionReport {
  // By table name ("security_events", "activity_events", "browsing_visits", "seat_sessions",
  // "site_alerts"), and by school then table.
  std::map<std::string, RetentionTableCount> tables;
  std::map<std::string, std::map<std::string, uint64_t>> schools;
  uint64_t deleted = 0;
  uint64_t transactions = 0;
  uint64_t max_hold_ns = 0;
  bool stopped = false;  // stop() interrupted the pass
};

// One pass over every table. Uses its own Store (its own database connection): reads without
// locks, deletes in transactions of at most options.batch_rows rows.
class RetentionRunner {
 public:
  RetentionRunner(Store& store, const Clock& clock, RetentionOptions options)
      : store_(store), clock_(clock), options_(options) {}

  // Deletes what is due and records the pass in the audit log as "retention.run" by `actor`
  // (always when `audit_empty`, else only when something was deleted).
  Result<RetentionReport> runPass(const std::string& actor, bool audit_empty);
  // Makes a running pass stop after its current batch (from another thread).
  void stop() { stop_ = true; }

 private:
  struct Cutoffs {
    int64_t browsing, security, sessions, activity;
  };
  Result<std::map<std::string, Cutoffs>> schoolCutoffs(Cutoffs& defaults);
  Status passTable(RetentionTable table, const std::map<std::string, Cutoffs>& schools,
                   const Cutoffs& defaults, RetentionReport& report);
  Status audit(const RetentionReport& report, const std::string& actor);

  Store& store_;
  const Clock& clock_;
  const RetentionOptions options_;
  std::atomic<bool> stop_{false};
};

// Runs a pass every `interval` (the first one `first_delay` after start) on a thread of its own.
class RetentionScheduler {
 public:
  RetentionScheduler(std::unique_ptr<Store> store, const Clock& clock, RetentionOptions options,
                     std::chrono::seconds interval, std::chrono::seconds first_delay);
  ~RetentionScheduler();
  RetentionScheduler(const RetentionScheduler&) = delete;
  RetentionScheduler& operator=(const RetentionScheduler&) = delete;

  void start();
  // Interrupts a running pass after its batch and joins the thread. Idempotent.
  void stop();

 private:
  void run();

  std::unique_ptr<Store> store_;
  RetentionRunner runner_;
  const std::chrono::seconds interval_;
  const std::chrono::seconds first_delay_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace xiaoan::collector
