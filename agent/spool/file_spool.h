#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/spool/spool.h"
#include "agent/spool/spool_stream.h"
#include "agent/spool/stream_recovery.h"
#include "platform/file.h"

namespace xiaoan::agent {

// The Spool on a local directory:
//   <dir>/LOCK                      locked (File::tryLockExclusive) by the one process using it
//   <dir>/{security,activity}/      one SpoolStream each (segments, EPOCH, ACKED, STATS)
// One mutex guards everything; the group-fsync thread drops it while it fsyncs.
//
// Disk cap: segment bytes of both streams stay <= max_bytes. Before an append would pass the
// cap (keeping room for one gap record), the oldest activity segments are deleted (the active
// one only when it is the last) and one GapEvent (reason "disk_cap") is appended to the
// activity stream. Security appends are written even above the cap. An activity append that
// still does not fit once all activity is gone fails with E_SPOOL_FULL. On ENOSPC/EIO the
// oldest activity segments are dropped (with a gap) and the write is retried once.
class FileSpool final : public Spool {
 public:
  static Result<std::unique_ptr<FileSpool>> create(const SpoolOptions& requested);
  ~FileSpool() override;

  Result<AppendResult> append(v1::Event event) override;
  Result<std::vector<v1::Event>> readPending(std::string_view stream, size_t max_count,
                                             size_t max_bytes, uint64_t after_seq) override;
  Status ack(std::string_view stream, uint64_t epoch, uint64_t seq) override;
  Status sync() override;
  SpoolStats stats() const override;

 private:
  FileSpool(const SpoolOptions& options, File lock, std::unique_ptr<SpoolStream> security,
            std::unique_ptr<SpoolStream> activity, const RecoveryReport& report);

  SpoolStream* streamByName(std::string_view name) const;
  void stampTimes(v1::Event& event) const;
  Status encode(SpoolStream& stream, v1::Event& event, std::string& frame) const;
  Result<AppendResult> appendLocked(SpoolStream& stream, v1::Event& event);
  Status writeEvent(SpoolStream& stream, v1::Event& event);
  Status writeOnce(SpoolStream& stream, v1::Event& event);
  Status writePendingGap();
  uint64_t totalBytes() const { return security_->bytes() + activity_->bytes(); }
  bool overCap(uint64_t frame_bytes) const;
  void makeRoom(uint64_t frame_bytes);
  void freeSpace(uint64_t want_bytes);
  void recordEviction(const DroppedRange& dropped);
  void maybeClearFull();
  // fdatasyncs the activity stream's unsynced records, releasing `lock` meanwhile.
  Status syncActivity(std::unique_lock<std::mutex>& lock);
  void syncLoop();
  SpoolStreamStats streamStats(SpoolStream& stream) const;

  const SpoolOptions options_;
  File lock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::unique_ptr<SpoolStream> security_;
  std::unique_ptr<SpoolStream> activity_;
  std::string frame_;  // reused encode buffer
  RecoveryReport recovery_;
  uint64_t read_corrupt_ = 0;
  bool full_ = false;
  std::thread sync_thread_;
};

}  // namespace xiaoan::agent
