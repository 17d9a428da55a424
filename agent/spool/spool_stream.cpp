#include "agent/spool/spool_stream.h"

#include <algorithm>

#include "agent/spool/segment_reader.h"
#include "agent/spool/spool_io.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

// Segments are only ever opened by name inside our own 0700 directory, never through a link.
Result<File> openSegment(const std::string& path) { return File::open(path, OpenOptions::read()); }

// A segment the spool no longer needs. A failure leaves a file that the next recovery deletes
// (fully acked) or counts again, so it is only logged.
void deleteSegmentFile(const std::string& path) {
  Status st = removeFile(path);
  if (!st.isOk() && st.code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentSpool)->error("cannot delete {}: {}", path, st.toString());
  }
}

std::chrono::system_clock::time_point toTimePoint(const google::protobuf::Timestamp& ts) {
  auto d = std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos());
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(d));
}

uint64_t minNonZero(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  return std::min(a, b);
}

}  // namespace

void DroppedRange::merge(const DroppedRange& other) {
  first_seq = minNonZero(first_seq, other.first_seq);
  last_seq = std::max(last_seq, other.last_seq);
  count += other.count;
  data_records += other.data_records;
}

struct SpoolStream::ReadBatch {
  uint64_t next_seq;
  size_t max_count;
  size_t max_bytes;
  size_t bytes = 0;
  std::vector<v1::Event> events;

  bool full() const {
    return events.size() >= max_count || (bytes >= max_bytes && !events.empty());
  }
};

Result<std::unique_ptr<SpoolStream>> SpoolStream::open(const Config& config,
                                                       RecoveryReport& report) {
  XIAOAN_ASSIGN_OR_RETURN(RecoveredStream recovered,
                          recoverStream(config.dir, config.name, config.segment_bytes, report));
  std::unique_ptr<SpoolStream> stream(new SpoolStream(config, std::move(recovered)));
  stream->finishInterruptedEviction();
  // Keep appending to the last segment when it has room; otherwise the next append rolls.
  if (!stream->segments_.empty() && stream->activeSegment().bytes() < config.segment_bytes) {
    auto file =
        File::open(stream->activeSegment().path(), OpenOptions::write(OpenCreate::kExisting));
    if (file.isOk()) stream->active_ = std::make_shared<File>(std::move(*file));
  }
  return stream;
}

SpoolStream::SpoolStream(Config config, RecoveredStream recovered)
    : config_(std::move(config)),
      epoch_(recovered.epoch),
      acked_(recovered.acked_seq),
      next_seq_(std::max(recovered.last_seq, recovered.acked_seq) + 1),
      synced_seq_(next_seq_ - 1),
      counters_(recovered.counters),
      segments_(std::move(recovered.segments)) {
  for (const auto& [first, seg] : segments_) bytes_ += seg.bytes();
}

uint64_t SpoolStream::pendingRecords() const {
  uint64_t n = 0;
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    n += it->second.countAbove(acked_);
    if (it->second.firstSeqName() <= acked_) break;
  }
  return n;
}

Status SpoolStream::roll() {
  if (active_ && dirty()) {
    if (Status st = active_->dataSync(); !st.isOk()) {
      return spoolIoError("fdatasync " + activeSegment().path(), st);
    }
    synced_seq_ = lastSeq();
  }
  active_.reset();
  std::string path = config_.dir + "/" + segmentFileName(next_seq_);
  auto file = File::open(path, OpenOptions::write(OpenCreate::kTruncate, 0600));
  if (!file.isOk()) return spoolIoError("create " + path, file.status());
  active_ = std::make_shared<File>(std::move(*file));
  segments_.insert_or_assign(next_seq_, SegmentInfo(next_seq_, path));
  // The new name must survive a crash as long as the records written into it.
  return fsyncDir(config_.dir);
}

Status SpoolStream::appendFrame(std::string_view frame, bool is_gap, bool sync) {
  if (!active_ || (activeSegment().bytes() > 0 &&
                   activeSegment().bytes() + frame.size() > config_.segment_bytes)) {
    XIAOAN_RETURN_IF_ERROR(roll());
  }
  SegmentInfo& seg = activeSegment();
  uint64_t offset = seg.bytes();
  Status st = active_->writeAllAt(frame, offset);
  if (!st.isOk()) st = spoolIoError("write " + seg.path(), st);
  if (st.isOk() && sync) {
    if (Status synced = active_->dataSync(); !synced.isOk()) {
      st = spoolIoError("fdatasync " + seg.path(), synced);
    }
  }
  if (!st.isOk()) {
    if (Status cut = active_->truncate(offset); !cut.isOk()) {
      componentLogger(LogComponent::kAgentSpool)
          ->error("cannot truncate {} after a failed write: {}", seg.path(), cut.toString());
    }
    return st;
  }
  if (oldest_known_ && !oldest_) oldest_known_ = false;  // was empty: this is the oldest now
  seg.addRecord(next_seq_, offset, frame.size(), is_gap);
  bytes_ += frame.size();
  ++next_seq_;
  if (sync) synced_seq_ = lastSeq();
  return Status::ok();
}

Result<std::vector<v1::Event>> SpoolStream::read(uint64_t after, size_t max_count, size_t max_bytes,
                                                 uint64_t& corrupt) {
  ReadBatch batch{std::max(after, acked_) + 1, max_count, max_bytes, 0, {}};
  auto it = segments_.upper_bound(batch.next_seq);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end() && !batch.full(); ++it) {
    if (it->second.lastSeq() < batch.next_seq) continue;
    XIAOAN_RETURN_IF_ERROR(readSegment(it->second, batch, corrupt));
  }
  return std::move(batch.events);
}

Status SpoolStream::readSegment(const SegmentInfo& seg, ReadBatch& batch, uint64_t& corrupt) const {
  auto file = openSegment(seg.path());
  if (!file.isOk()) return spoolIoError("open " + seg.path(), file.status());
  SegmentReader reader(*file, seg.seekOffset(batch.next_seq), seg.bytes());
  while (!batch.full()) {
    XIAOAN_ASSIGN_OR_RETURN(std::optional<SegmentFrame> frame, reader.next());
    if (!frame) break;
    if (frame->after_skip) ++corrupt;  // damaged after recovery checked it
    const RecordKey& key = frame->key;
    // The same checks recovery applied: only indexed records of this stream and epoch.
    if (key.seq < batch.next_seq || !seg.contains(key.seq) || key.epoch != epoch_ ||
        key.stream != config_.name) {
      continue;
    }
    batch.next_seq = key.seq + 1;
    v1::Event event;
    if (!event.ParseFromArray(frame->payload.data(), static_cast<int>(frame->payload.size()))) {
      ++corrupt;
      continue;
    }
    batch.bytes += frame->payload.size();
    batch.events.push_back(std::move(event));
  }
  return Status::ok();
}

Status SpoolStream::ack(uint64_t seq) {
  seq = std::min(seq, lastSeq());
  if (seq <= acked_) return Status::ok();
  acked_ = seq;
  oldest_known_ = false;
  Status st = storeAcked(config_.dir + "/" + kAckedFile, AckCursor{epoch_, acked_});
  deleteAckedSegments();
  return st;
}

void SpoolStream::deleteAckedSegments() {
  bool deleted = false;
  for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end();) {
    if (it->second.lastSeq() > acked_) break;
    deleteSegmentFile(it->second.path());
    bytes_ -= it->second.bytes();
    it = segments_.erase(it);
    deleted = true;
  }
  if (deleted) (void)syncDir();
}

std::optional<DroppedRange> SpoolStream::evictOldest() {
  if (segments_.empty()) return std::nullopt;
  auto it = segments_.begin();
  const SegmentInfo& seg = it->second;
  DroppedRange range = carriedGaps(seg);
  uint64_t unacked = seg.countAbove(acked_);
  auto gaps =
      static_cast<uint64_t>(std::count_if(seg.gapRecords().begin(), seg.gapRecords().end(),
                                          [this](const auto& g) { return g.first > acked_; }));
  range.data_records = unacked - gaps;
  range.count += range.data_records;
  if (unacked > 0) {
    range.first_seq = minNonZero(range.first_seq, seg.firstAbove(acked_));
    range.last_seq = std::max(range.last_seq, seg.lastSeq());
  }
  counters_.dropped_records += range.data_records;
  addPendingGap(range);
  // Intent first: if persisting fails the space is still needed, so delete anyway.
  if (Status st = storeStats(config_.dir + "/" + kStatsFile, counters_); !st.isOk()) {
    componentLogger(LogComponent::kAgentSpool)
        ->error("cannot persist pending gap: {}", st.toString());
  }
  eraseSegment(it);
  return range;
}

void SpoolStream::eraseSegment(std::map<uint64_t, SegmentInfo>::iterator it) {
  if (active_ && std::next(it) == segments_.end()) active_.reset();
  deleteSegmentFile(it->second.path());
  bytes_ -= it->second.bytes();
  segments_.erase(it);
  oldest_known_ = false;
}

void SpoolStream::addPendingGap(const DroppedRange& range) {
  if (range.count == 0) return;
  if (!counters_.pending_gap) counters_.pending_gap = PendingGap{0, 0, 0, lastSeq()};
  PendingGap& gap = *counters_.pending_gap;
  gap.first_seq = minNonZero(gap.first_seq, range.first_seq);
  gap.last_seq = std::max(gap.last_seq, range.last_seq);
  gap.count += range.count;
}

Status SpoolStream::clearPendingGap() {
  counters_.pending_gap.reset();
  return storeStats(config_.dir + "/" + kStatsFile, counters_);
}

// A crash can interrupt an eviction after its pending gap was persisted: delete the segments
// it meant to drop (all older than the gap's last seq), and forget the pending gap when its
// gap record made it to disk.
void SpoolStream::finishInterruptedEviction() {
  if (!counters_.pending_gap) return;
  const PendingGap gap = *counters_.pending_gap;
  while (!segments_.empty() && segments_.begin()->second.lastSeq() <= gap.last_seq) {
    eraseSegment(segments_.begin());
  }
  (void)syncDir();
  for (const auto& [first, seg] : segments_) {
    auto file = openSegment(seg.path());
    for (const auto& [seq, offset] : seg.gapRecords()) {
      if (seq <= gap.after_seq || !file.isOk()) continue;
      auto written = readGap(seg, *file, seq, offset);
      if (written && written->first_seq() == gap.first_seq && written->last_seq() == gap.last_seq &&
          written->count() == gap.count) {
        (void)clearPendingGap();
        return;
      }
    }
  }
}

bool SpoolStream::oldestIsOnlyActiveGaps() const {
  if (segments_.size() != 1 || !active_) return false;
  const SegmentInfo& seg = segments_.begin()->second;
  auto gaps = std::count_if(seg.gapRecords().begin(), seg.gapRecords().end(),
                            [this](const auto& g) { return g.first > acked_; });
  return seg.countAbove(acked_) == static_cast<uint64_t>(gaps);
}

DroppedRange SpoolStream::carriedGaps(const SegmentInfo& seg) const {
  DroppedRange range;
  auto file = openSegment(seg.path());
  for (const auto& [seq, offset] : seg.gapRecords()) {
    if (seq <= acked_ || !file.isOk()) continue;
    std::optional<v1::GapEvent> gap = readGap(seg, *file, seq, offset);
    if (!gap) {
      componentLogger(LogComponent::kAgentSpool)
          ->error("gap record {} in {} unreadable", seq, seg.path());
      continue;
    }
    range.first_seq = minNonZero(range.first_seq, gap->first_seq());
    range.last_seq = std::max(range.last_seq, gap->last_seq());
    range.count += gap->count();
  }
  return range;
}

std::optional<v1::GapEvent> SpoolStream::readGap(const SegmentInfo& seg, const File& file,
                                                 uint64_t seq, uint64_t offset) const {
  SegmentReader reader(file, offset, seg.bytes());
  auto frame = reader.next();
  v1::Event event;
  if (!frame.isOk() || !*frame || (*frame)->key.seq != seq ||
      !event.ParseFromArray((*frame)->payload.data(), static_cast<int>((*frame)->payload.size())) ||
      !event.has_gap() || event.gap().epoch() != epoch_) {
    return std::nullopt;
  }
  return event.gap();
}

Status SpoolStream::syncDir() const { return fsyncDir(config_.dir); }

SpoolStream::SyncJob SpoolStream::syncJob() const {
  if (!dirty()) return SyncJob{nullptr, synced_seq_};
  return SyncJob{active_, lastSeq()};
}

void SpoolStream::markSynced(uint64_t seq) { synced_seq_ = std::max(synced_seq_, seq); }

std::optional<std::chrono::system_clock::time_point> SpoolStream::oldestPending() {
  if (!oldest_known_) {
    uint64_t ignored = 0;
    auto first = read(acked_, 1, 1, ignored);
    oldest_known_ = first.isOk();
    oldest_.reset();
    if (first.isOk() && !first->empty() && first->front().has_wall_time()) {
      oldest_ = toTimePoint(first->front().wall_time());
    }
  }
  return oldest_;
}

}  // namespace xiaoan::agent
