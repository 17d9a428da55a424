#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent {

// Stream names; one stream per priority class.
inline constexpr std::string_view kSecurityStream = "security";
inline constexpr std::string_view kActivityStream = "activity";

struct SpoolOptions {
  std::string dir;                            // e.g. /var/lib/xiaoan/spool
  uint64_t max_bytes = 256ull * 1024 * 1024;  // disk cap over all streams, >= 8 KiB
  // Roll segments at this size; lowered to max_bytes / 8 so a drop at the cap loses little.
  uint64_t segment_bytes = 4ull * 1024 * 1024;
  std::chrono::milliseconds group_fsync_interval{1000};  // activity: fsync at most this late
  const Clock* clock = nullptr;                          // required
};

// Where an appended record went.
struct AppendResult {
  std::string stream;
  uint64_t epoch = 0;
  uint64_t seq = 0;
};

struct SpoolStreamStats {
  std::string stream;
  uint64_t pending_records = 0;  // appended, not acked
  uint64_t bytes = 0;            // on disk
  std::optional<std::chrono::system_clock::time_point> oldest_pending;
  uint64_t dropped_records = 0;  // dropped at the cap (lifetime of this spool dir)
  uint64_t epoch = 0;
  uint64_t last_seq = 0;
  uint64_t acked_seq = 0;
  uint64_t synced_seq = 0;  // records up to here are on stable storage (fdatasync'ed)
};

struct SpoolStats {
  std::vector<SpoolStreamStats> streams;  // security first
  uint64_t total_bytes = 0;
  uint64_t max_bytes = 0;
  uint64_t corrupt_records_skipped = 0;  // records lost to damage or rejected, since open
  uint64_t torn_bytes_truncated = 0;     // since open
  uint64_t bad_files_set_aside = 0;      // unreadable segment files renamed *.bad, since open
  uint64_t bad_state_files = 0;          // garbage EPOCH/ACKED/STATS treated as missing, since open
  uint64_t unsynced_segments = 0;        // recovered segments whose fdatasync failed, since open
  bool full = false;                     // cap reached: activity is being dropped
};

// Durable, crash-safe event spool (DESIGN.md §5). Append-only segment files per stream, each
// record framed with a magic, length and CRC32C; one process at a time (lock file, else
// E_ALREADY_RUNNING). Security records are fsynced before append() returns; activity records
// at most group_fsync_interval later. At the disk cap the oldest unacked activity segments
// are dropped and a GapEvent with the exact count is appended; security is never dropped.
// Torn tails are truncated on open and corrupt records skipped and counted, never fatal.
// Thread-safe.
//
// Records are at most 1 MiB serialized (E_TOO_LARGE). The cap counts segment bytes. A gap
// record's range [first_seq, last_seq] may include gap records that were themselves dropped;
// their counts are carried into the new gap, so the counts of the gap records that reach the
// collector add up to the records dropped (consumers should union overlapping ranges).
class Spool {
 public:
  virtual ~Spool() = default;

  static Result<std::unique_ptr<Spool>> open(const SpoolOptions& options);

  // Assigns stream (from event.priority), epoch and seq, stores the record durably per its
  // class and returns where it went. Sets wall_time and monotonic_ns from the clock when unset.
  // E_INVALID_ARGUMENT for PRIORITY_UNSPECIFIED, E_SPOOL_FULL when it cannot be stored (the
  // caller's record is then not in the spool).
  virtual Result<AppendResult> append(v1::Event event) = 0;

  // Up to max_count records (and roughly max_bytes) of `stream` after what was acked, in
  // seq order, starting after `after_seq` when given (to pipeline without acks). At least one
  // record when any is pending and max_count > 0. Only durable records are handed out: unsynced
  // activity records are fsynced first (so a power cut cannot make a seq be reused).
  // E_INVALID_ARGUMENT for an unknown stream.
  virtual Result<std::vector<v1::Event>> readPending(std::string_view stream, size_t max_count,
                                                     size_t max_bytes, uint64_t after_seq = 0) = 0;

  // The collector stored everything of (stream, epoch) up to seq: persist the cursor and
  // delete segments that hold nothing newer. Acks for another epoch are ignored.
  virtual Status ack(std::string_view stream, uint64_t epoch, uint64_t seq) = 0;

  // Forces an fsync of everything appended so far.
  virtual Status sync() = 0;

  virtual SpoolStats stats() const = 0;
};

}  // namespace xiaoan::agent
