#include "agent/spool/file_spool.h"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "agent/spool/record_frame.h"
#include "agent/spool/spool_io.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

// Room kept below the cap for the gap record an eviction writes (a gap frame is ~150 bytes).
constexpr uint64_t kGapReserveBytes = 256;
// After ENOSPC, free at least this much beyond the record so the next appends fit too.
constexpr uint64_t kEnospcSlackBytes = 64 * 1024;
constexpr char kLockFile[] = "LOCK";
constexpr char kGapReasonDiskCap[] = "disk_cap";

bool isSpaceError(const Status& st) { return st.sysErrno() == ENOSPC || st.sysErrno() == EDQUOT; }

// Errors worth one retry after dropping activity: a full disk, or EIO that a full thin
// volume or network filesystem reports for the same thing.
bool isRetryable(const Status& st) { return isSpaceError(st) || st.sysErrno() == EIO; }

constexpr uint64_t kMinSegmentBytes = 1024;
// Segments are at most this share of the cap, so one drop at the cap loses little.
constexpr uint64_t kSegmentsPerCap = 8;

Status validate(const SpoolOptions& o) {
  if (o.dir.empty()) return Status(ErrorCode::kInvalidArgument, "spool dir is empty");
  if (o.clock == nullptr) return Status(ErrorCode::kInvalidArgument, "spool needs a clock");
  if (o.segment_bytes < kMinSegmentBytes || o.max_bytes < kSegmentsPerCap * kMinSegmentBytes) {
    return Status(ErrorCode::kInvalidArgument,
                  "spool needs segment_bytes >= 1024 and max_bytes >= 8192");
  }
  if (o.group_fsync_interval.count() <= 0) {
    return Status(ErrorCode::kInvalidArgument, "group_fsync_interval must be positive");
  }
  return Status::ok();
}

SpoolOptions effectiveOptions(SpoolOptions o) {
  o.segment_bytes = std::min(o.segment_bytes, o.max_bytes / kSegmentsPerCap);
  return o;
}

Result<File> lockDir(const std::string& dir) {
  std::string path = dir + "/" + kLockFile;
  auto file = File::open(path, OpenOptions::readWrite(OpenCreate::kCreate, 0600));
  if (!file.isOk()) return spoolIoError("open " + path, file.status());
  Status locked = file->tryLockExclusive();
  if (locked.code() == ErrorCode::kAlreadyRunning) {
    return Status(ErrorCode::kAlreadyRunning, "spool " + dir + " is used by another process");
  }
  if (!locked.isOk()) return spoolIoError("lock " + path, locked);
  return file;
}

void logRecovery(const std::string& dir, const RecoveryReport& r) {
  if (r.corrupt_records + r.torn_bytes + r.bad_files + r.bad_state_files + r.unsynced_files == 0) {
    return;
  }
  componentLogger(LogComponent::kAgentSpool)
      ->warn(
          "recovered {}: {} corrupt records skipped, {} torn bytes truncated, {} segment "
          "files set aside, {} state files reset, {} segments not synced",
          dir, r.corrupt_records, r.torn_bytes, r.bad_files, r.bad_state_files, r.unsynced_files);
}

}  // namespace

Result<std::unique_ptr<FileSpool>> FileSpool::create(const SpoolOptions& requested) {
  XIAOAN_RETURN_IF_ERROR(validate(requested));
  const SpoolOptions options = effectiveOptions(requested);
  XIAOAN_RETURN_IF_ERROR(makeDirs(options.dir, 0700));
  XIAOAN_ASSIGN_OR_RETURN(File lock, lockDir(options.dir));
  RecoveryReport report;
  XIAOAN_ASSIGN_OR_RETURN(
      auto security, SpoolStream::open({options.dir + "/security", std::string(kSecurityStream),
                                        options.segment_bytes},
                                       report));
  XIAOAN_ASSIGN_OR_RETURN(
      auto activity, SpoolStream::open({options.dir + "/activity", std::string(kActivityStream),
                                        options.segment_bytes},
                                       report));
  logRecovery(options.dir, report);
  std::unique_ptr<FileSpool> spool(
      new FileSpool(options, std::move(lock), std::move(security), std::move(activity), report));
  // Report drops an earlier run could not (it crashed or the disk was full).
  if (Status st = spool->writePendingGap(); !st.isOk()) {
    componentLogger(LogComponent::kAgentSpool)
        ->error("cannot write pending gap: {}", st.toString());
  }
  try {
    spool->sync_thread_ = std::thread([p = spool.get()] { p->syncLoop(); });
  } catch (const std::system_error& e) {
    return Status(ErrorCode::kInternal, std::string("start spool fsync thread: ") + e.what());
  }
  return spool;
}

FileSpool::FileSpool(const SpoolOptions& options, File lock, std::unique_ptr<SpoolStream> security,
                     std::unique_ptr<SpoolStream> activity, const RecoveryReport& report)
    : options_(options),
      lock_(std::move(lock)),
      security_(std::move(security)),
      activity_(std::move(activity)),
      recovery_(report) {}

FileSpool::~FileSpool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  std::unique_lock lock(mu_);
  (void)writePendingGap();
  Status st = syncActivity(lock);
  if (!st.isOk())
    componentLogger(LogComponent::kAgentSpool)->error("final sync: {}", st.toString());
}

SpoolStream* FileSpool::streamByName(std::string_view name) const {
  if (name == kSecurityStream) return security_.get();
  if (name == kActivityStream) return activity_.get();
  return nullptr;
}

void FileSpool::stampTimes(v1::Event& event) const {
  if (!event.has_wall_time()) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  options_.clock->now().time_since_epoch())
                  .count();
    event.mutable_wall_time()->set_seconds(ns / 1000000000);
    event.mutable_wall_time()->set_nanos(static_cast<int32_t>(ns % 1000000000));
  }
  if (event.monotonic_ns() == 0) event.set_monotonic_ns(options_.clock->monotonicNs());
}

Status FileSpool::encode(SpoolStream& stream, v1::Event& event, std::string& frame) const {
  if (stream.nextSeq() > kMaxSeq) {
    return Status(ErrorCode::kInternal, "sequence numbers of " + stream.name() + " exhausted");
  }
  event.set_stream(stream.name());
  event.set_epoch(stream.epoch());
  event.set_seq(stream.nextSeq());
  size_t size = event.ByteSizeLong();
  if (size > kMaxRecordBytes) {
    return Status(ErrorCode::kTooLarge, "event of " + std::to_string(size) +
                                            " bytes exceeds the spool record limit of " +
                                            std::to_string(kMaxRecordBytes));
  }
  frame.resize(kFrameHeaderBytes + size);
  event.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.data() + kFrameHeaderBytes));
  sealFrame(frame);
  return Status::ok();
}

Result<AppendResult> FileSpool::append(v1::Event event) {
  SpoolStream* stream = nullptr;
  if (event.priority() == v1::PRIORITY_SECURITY) stream = security_.get();
  if (event.priority() == v1::PRIORITY_ACTIVITY) stream = activity_.get();
  if (stream == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "event priority must be security or activity");
  }
  stampTimes(event);
  std::unique_lock lock(mu_);
  bool was_dirty = activity_->dirty();
  Result<AppendResult> where = appendLocked(*stream, event);
  if (!was_dirty && activity_->dirty()) cv_.notify_one();
  return where;
}

Result<AppendResult> FileSpool::appendLocked(SpoolStream& stream, v1::Event& event) {
  XIAOAN_RETURN_IF_ERROR(encode(stream, event, frame_));
  bool security = &stream == security_.get();
  makeRoom(frame_.size());
  if (!security && overCap(frame_.size())) {
    (void)writePendingGap();
    full_ = true;
    return Status(ErrorCode::kSpoolFull, "activity record does not fit under the spool cap of " +
                                             std::to_string(options_.max_bytes) + " bytes");
  }
  Status st = writeEvent(stream, event);
  if (!st.isOk()) {
    if (isRetryable(st)) full_ = true;
    bool full = !security || isSpaceError(st);
    return Status(full ? ErrorCode::kSpoolFull : ErrorCode::kIo, st.message(), st.sysErrno());
  }
  return AppendResult{stream.name(), stream.epoch(), event.seq()};
}

Status FileSpool::writeEvent(SpoolStream& stream, v1::Event& event) {
  Status st = writeOnce(stream, event);
  if (st.isOk() || !isRetryable(st)) return st;
  componentLogger(LogComponent::kAgentSpool)
      ->warn("spool write failed ({}); dropping oldest activity and retrying", st.toString());
  freeSpace(frame_.size() + kGapReserveBytes + kEnospcSlackBytes);
  return writeOnce(stream, event);
}

Status FileSpool::writeOnce(SpoolStream& stream, v1::Event& event) {
  (void)writePendingGap();  // stays pending if it fails; retried before the next append
  XIAOAN_RETURN_IF_ERROR(encode(stream, event, frame_));  // the gap may have taken the seq
  return stream.appendFrame(frame_, false, &stream == security_.get());
}

Status FileSpool::writePendingGap() {
  const std::optional<PendingGap>& pending = activity_->pendingGap();
  if (!pending) return Status::ok();
  v1::Event event;
  event.set_priority(v1::PRIORITY_ACTIVITY);
  stampTimes(event);
  v1::GapEvent* gap = event.mutable_gap();
  gap->set_stream(activity_->name());
  gap->set_epoch(activity_->epoch());
  gap->set_first_seq(pending->first_seq);
  gap->set_last_seq(pending->last_seq);
  gap->set_count(pending->count);
  gap->set_reason(kGapReasonDiskCap);
  std::string frame;
  XIAOAN_RETURN_IF_ERROR(encode(*activity_, event, frame));
  // Written even above the cap (its room was reserved) and synced at once, before the
  // pending gap is forgotten.
  XIAOAN_RETURN_IF_ERROR(activity_->appendFrame(frame, true, true));
  if (Status st = activity_->clearPendingGap(); !st.isOk()) {
    // Harmless: the next open finds the gap record and clears it then.
    componentLogger(LogComponent::kAgentSpool)->warn("cannot clear pending gap: {}", st.toString());
  }
  return Status::ok();
}

bool FileSpool::overCap(uint64_t frame_bytes) const {
  return totalBytes() + frame_bytes + kGapReserveBytes > options_.max_bytes;
}

void FileSpool::makeRoom(uint64_t frame_bytes) {
  DroppedRange dropped;
  bool evicted = false;
  while (overCap(frame_bytes) && !activity_->oldestIsOnlyActiveGaps()) {
    std::optional<DroppedRange> range = activity_->evictOldest();
    if (!range) break;
    dropped.merge(*range);
    evicted = true;
  }
  if (evicted) recordEviction(dropped);
}

void FileSpool::freeSpace(uint64_t want_bytes) {
  DroppedRange dropped;
  uint64_t before = totalBytes();
  bool evicted = false;
  while (before - totalBytes() < want_bytes) {
    std::optional<DroppedRange> range = activity_->evictOldest();
    if (!range) break;
    dropped.merge(*range);
    evicted = true;
  }
  if (evicted) recordEviction(dropped);
}

void FileSpool::recordEviction(const DroppedRange& dropped) {
  full_ = true;
  auto log = componentLogger(LogComponent::kAgentSpool);
  if (Status st = activity_->syncDir(); !st.isOk()) log->error("{}", st.toString());
  if (dropped.count == 0) return;
  log->warn("spool full: dropped {} activity records (seq {}..{})", dropped.data_records,
            dropped.first_seq, dropped.last_seq);
}

void FileSpool::maybeClearFull() {
  // Only an ack (data leaving for the collector) ends the state, and only with clear room:
  // right after a drop the spool sits just below the cap and would drop again soon.
  uint64_t headroom = std::min(2 * options_.segment_bytes, options_.max_bytes / 4);
  if (full_ && totalBytes() + headroom <= options_.max_bytes) full_ = false;
}

Result<std::vector<v1::Event>> FileSpool::readPending(std::string_view stream, size_t max_count,
                                                      size_t max_bytes, uint64_t after_seq) {
  std::unique_lock lock(mu_);
  SpoolStream* s = streamByName(stream);
  if (s == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown spool stream " + std::string(stream));
  }
  if (max_count == 0) return std::vector<v1::Event>();
  XIAOAN_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                          s->read(after_seq, max_count, max_bytes, read_corrupt_));
  // Hand out durable records only: if a power cut lost an uploaded record, its seq would be
  // reused for a new record that the collector then drops as a duplicate.
  if (!events.empty() && events.back().seq() > s->syncedSeq()) {
    XIAOAN_RETURN_IF_ERROR(syncActivity(lock));
  }
  return events;
}

Status FileSpool::ack(std::string_view stream, uint64_t epoch, uint64_t seq) {
  std::lock_guard lock(mu_);
  SpoolStream* s = streamByName(stream);
  if (s == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "unknown spool stream " + std::string(stream));
  }
  if (epoch != s->epoch()) return Status::ok();  // an ack for a previous spool lifetime
  Status st = s->ack(seq);
  maybeClearFull();
  return st;
}

Status FileSpool::sync() {
  std::unique_lock lock(mu_);
  return syncActivity(lock);
}

Status FileSpool::syncActivity(std::unique_lock<std::mutex>& lock) {
  if (!activity_->dirty()) return Status::ok();
  SpoolStream::SyncJob job = activity_->syncJob();
  Status synced;
  if (job.file) {
    lock.unlock();  // appends go on while the disk works
    synced = job.file->dataSync();
    lock.lock();
  }
  if (!synced.isOk()) return spoolIoError("fdatasync activity segment", synced);
  activity_->markSynced(job.seq);
  return Status::ok();
}

void FileSpool::syncLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || activity_->dirty(); });
    // Let appends gather for one interval, then sync them together.
    if (cv_.wait_for(lock, options_.group_fsync_interval, [this] { return stop_; })) break;
    Status st = syncActivity(lock);
    if (!st.isOk())
      componentLogger(LogComponent::kAgentSpool)->error("group fsync: {}", st.toString());
  }
}

SpoolStreamStats FileSpool::streamStats(SpoolStream& stream) const {
  SpoolStreamStats out;
  out.stream = stream.name();
  out.pending_records = stream.pendingRecords();
  out.bytes = stream.bytes();
  out.oldest_pending = stream.oldestPending();
  out.dropped_records = stream.droppedRecords();
  out.epoch = stream.epoch();
  out.last_seq = stream.lastSeq();
  out.acked_seq = stream.ackedSeq();
  out.synced_seq = stream.syncedSeq();
  return out;
}

SpoolStats FileSpool::stats() const {
  std::lock_guard lock(mu_);
  SpoolStats out;
  out.streams.push_back(streamStats(*security_));
  out.streams.push_back(streamStats(*activity_));
  out.total_bytes = totalBytes();
  out.max_bytes = options_.max_bytes;
  out.corrupt_records_skipped = recovery_.corrupt_records + read_corrupt_;
  out.torn_bytes_truncated = recovery_.torn_bytes;
  out.bad_files_set_aside = recovery_.bad_files;
  out.bad_state_files = recovery_.bad_state_files;
  out.unsynced_segments = recovery_.unsynced_files;
  out.full = full_;
  return out;
}

}  // namespace xiaoan::agent
