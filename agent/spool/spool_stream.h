#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/spool/segment_info.h"
#include "agent/spool/spool_meta.h"
#include "agent/spool/stream_recovery.h"
#include "platform/file.h"
#include "platform/result.h"
#include "xiaoan/v1/event.pb.h"

namespace xiaoan::agent {

// Records of one stream dropped at the disk cap, folded into one GapEvent.
struct DroppedRange {
  uint64_t first_seq = 0;  // 0 when nothing was dropped
  uint64_t last_seq = 0;
  // Records the collector will never get: newly dropped ones plus the counts of gap records
  // that were themselves dropped (carried forward so no drop goes unreported).
  uint64_t count = 0;
  uint64_t data_records = 0;  // newly dropped records that are not gap records

  void merge(const DroppedRange& other);
};

// One stream directory: segment files, EPOCH, ACKED and STATS. Not thread-safe: FileSpool
// serialises all calls. Seqs are contiguous from 1 and continue across restarts.
class SpoolStream {
 public:
  struct Config {
    std::string dir;  // <spool dir>/<name>
    std::string name;
    uint64_t segment_bytes = 0;
  };

  // Recovers the directory (see recoverStream); problems found are added to `report`.
  static Result<std::unique_ptr<SpoolStream>> open(const Config& config, RecoveryReport& report);

  const std::string& name() const { return config_.name; }
  uint64_t epoch() const { return epoch_; }
  uint64_t nextSeq() const { return next_seq_; }
  uint64_t lastSeq() const { return next_seq_ - 1; }
  uint64_t ackedSeq() const { return acked_; }
  uint64_t syncedSeq() const { return synced_seq_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t droppedRecords() const { return counters_.dropped_records; }
  uint64_t pendingRecords() const;
  // Appended records that are not yet known to be on stable storage.
  bool dirty() const { return synced_seq_ < lastSeq(); }

  // Writes `frame` (sealed, holding record nextSeq()) at the end of the active segment,
  // rolling first when it would pass segment_bytes; fdatasyncs it when `sync`. On failure
  // the segment is truncated back: the record is not in the spool and the seq is not used.
  Status appendFrame(std::string_view frame, bool is_gap, bool sync);

  // Up to max_count records (and about max_bytes of payload) with seq > after, in order.
  // Records that pass the CRC but fail to parse are skipped and added to `corrupt`.
  Result<std::vector<v1::Event>> read(uint64_t after, size_t max_count, size_t max_bytes,
                                      uint64_t& corrupt);

  // Moves the cursor to min(seq, lastSeq()) when that is ahead, persists it and deletes the
  // older segments that hold nothing newer. The cursor moves even if persisting fails.
  Status ack(uint64_t seq);

  // Deletes the oldest segment (the active one only when it is the last) and returns what
  // that lost; nullopt when there is no segment. What it lost is first added to the pending
  // gap and persisted in STATS, so a crash right after the delete cannot hide the drop (the
  // next open finishes an interrupted eviction). Call syncDir() after a batch.
  std::optional<DroppedRange> evictOldest();
  // Whether evicting the oldest segment would lose nothing but gap records of the active
  // segment: then it frees next to nothing and only churns the disk.
  bool oldestIsOnlyActiveGaps() const;
  Status syncDir() const;

  // Drops not yet reported by a gap record; write one, then call clearPendingGap().
  const std::optional<PendingGap>& pendingGap() const { return counters_.pending_gap; }
  Status clearPendingGap();

  // What the group fsync must sync to make everything up to `seq` durable; file is null when
  // no fsync is needed (records were synced when their segment rolled, or were dropped).
  struct SyncJob {
    std::shared_ptr<File> file;
    uint64_t seq = 0;
  };
  SyncJob syncJob() const;
  void markSynced(uint64_t seq);

  // wall_time of the oldest unacked record; read from disk once, then cached.
  std::optional<std::chrono::system_clock::time_point> oldestPending();

 private:
  struct ReadBatch;

  SpoolStream(Config config, RecoveredStream recovered);
  Status roll();
  SegmentInfo& activeSegment() { return segments_.rbegin()->second; }
  Status readSegment(const SegmentInfo& seg, ReadBatch& batch, uint64_t& corrupt) const;
  DroppedRange carriedGaps(const SegmentInfo& seg) const;
  std::optional<v1::GapEvent> readGap(const SegmentInfo& seg, const File& file, uint64_t seq,
                                      uint64_t offset) const;
  void addPendingGap(const DroppedRange& range);
  void finishInterruptedEviction();
  void eraseSegment(std::map<uint64_t, SegmentInfo>::iterator it);
  void deleteAckedSegments();

  Config config_;
  uint64_t epoch_;
  uint64_t acked_;
  uint64_t next_seq_;
  uint64_t synced_seq_;
  uint64_t bytes_ = 0;
  StreamCounters counters_;
  std::map<uint64_t, SegmentInfo> segments_;  // by first seq; the active one is the last
  std::shared_ptr<File> active_;              // shared with an in-flight group fsync
  bool oldest_known_ = false;
  std::optional<std::chrono::system_clock::time_point> oldest_;
};

}  // namespace xiaoan::agent
