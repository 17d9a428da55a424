#include "agent/spool/stream_recovery.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "agent/spool/record_frame.h"
#include "agent/spool/segment_reader.h"
#include "agent/spool/spool_io.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent {
namespace {

constexpr size_t kSegmentDigits = 20;
constexpr char kSegmentSuffix[] = ".seg";
constexpr char kBadSuffix[] = ".bad";
// Set-aside files kept per stream for diagnosis; older ones are deleted.
constexpr size_t kMaxBadFiles = 8;

struct DirListing {
  std::map<uint64_t, std::string> segments;  // first seq -> path
  std::vector<std::string> bad_files;
};

// What the scan of earlier segments established; copied per segment, committed when kept.
struct ScanContext {
  std::string stream;
  std::optional<uint64_t> epoch;
  uint64_t max_file_bytes = 0;
  uint64_t acked_hint = 0;  // holes at or below the cursor lost nothing
  uint64_t last_seq = 0;
  uint64_t corrupt = 0;          // records known lost or rejected
  uint64_t pending_regions = 0;  // invalid regions since the last kept record
};

std::optional<uint64_t> parseSegmentName(const std::string& name) {
  if (name.size() != kSegmentDigits + std::strlen(kSegmentSuffix)) return std::nullopt;
  if (name.compare(kSegmentDigits, std::string::npos, kSegmentSuffix) != 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < kSegmentDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    if (v > (kMaxSeq - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  if (v == 0) return std::nullopt;
  return v;
}

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Removes a file recovery does not keep; a failure only means it is looked at again next time.
void deleteQuietly(const std::string& path) {
  Status st = removeFile(path);
  if (!st.isOk() && st.code() != ErrorCode::kNotFound) {
    componentLogger(LogComponent::kAgentSpool)->warn("cannot delete {}: {}", path, st.toString());
  }
}

Result<DirListing> listStreamDir(const std::string& dir) {
  auto names = listDir(dir);
  if (!names.isOk()) return spoolIoError("open spool dir " + dir, names.status());
  DirListing out;
  for (const std::string& name : *names) {
    std::string path = dir + "/" + name;
    if (auto seq = parseSegmentName(name)) {
      out.segments.emplace(*seq, path);
    } else if (endsWith(name, kBadSuffix)) {
      out.bad_files.push_back(path);
    } else if (name.find(".tmp.") != std::string::npos) {
      deleteQuietly(path);  // left by an interrupted atomicWriteFile
    }
  }
  std::sort(out.bad_files.begin(), out.bad_files.end());
  return out;
}

void setAside(const std::string& path, RecoveryReport& report) {
  std::string bad = path + kBadSuffix;
  if (Status st = renamePath(path, bad); !st.isOk()) {
    componentLogger(LogComponent::kAgentSpool)
        ->error("cannot set aside {}: {}", path, st.toString());
    deleteQuietly(path);
  } else {
    componentLogger(LogComponent::kAgentSpool)->warn("unreadable segment set aside as {}", bad);
  }
  ++report.bad_files;
}

// A record is kept when it belongs to this stream and epoch and its seq goes up.
bool acceptRecord(const RecordKey& key, uint64_t first_seq, ScanContext& ctx) {
  if (key.stream != ctx.stream) return false;
  if (key.seq < first_seq || key.seq <= ctx.last_seq || key.seq > kMaxSeq) return false;
  if (key.epoch == 0 || (ctx.epoch && *ctx.epoch != key.epoch)) return false;
  ctx.epoch = key.epoch;
  ctx.last_seq = key.seq;
  return true;
}

// Bytes that start like a frame (or are zeros, as a lost append can leave) are a torn write.
bool looksTorn(const File& file, uint64_t size) {
  char head[sizeof kFrameMagic] = {};
  size_t n = std::min<uint64_t>(size, sizeof head);
  Result<size_t> got = file.readAt(head, n, 0);
  if (!got.isOk() || *got != n) return false;
  bool magic = std::memcmp(head, kFrameMagic, n) == 0;
  bool zeros = std::all_of(head, head + n, [](char c) { return c == 0; });
  return magic || zeros;
}

// A segment without a single good record: torn first write, leftover empty file or garbage.
void dropEmptySegment(const std::string& path, const File& file, uint64_t size, bool is_last,
                      bool had_frames, RecoveryReport& report) {
  if (size == 0) {
    deleteQuietly(path);
  } else if (is_last && !had_frames && looksTorn(file, size)) {
    report.torn_bytes += size;
    deleteQuietly(path);
  } else {
    setAside(path, report);
  }
}

// Counts the loss before a kept record `seq`: the seqs missing since the previous kept record
// (the records a damaged region held), or at least one per damaged region.
void countLoss(ScanContext& ctx, uint64_t prev_seq, uint64_t seq) {
  uint64_t floor = std::max(prev_seq, ctx.acked_hint);
  uint64_t hole = prev_seq > 0 && seq > floor + 1 ? seq - floor - 1 : 0;
  ctx.corrupt += std::max(hole, ctx.pending_regions);
  ctx.pending_regions = 0;
}

// Indexes the kept records of one open segment; E_IO when it cannot be read.
Status indexFrames(const File& file, uint64_t size, SegmentInfo& info, ScanContext& ctx,
                   uint64_t& valid_end) {
  SegmentReader reader(file, 0, size);
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(std::optional<SegmentFrame> frame, reader.next());
    if (!frame) break;
    if (frame->after_skip) ++ctx.pending_regions;
    uint64_t prev = ctx.last_seq;
    if (!acceptRecord(frame->key, info.firstSeqName(), ctx)) {
      ++ctx.pending_regions;
      continue;
    }
    countLoss(ctx, prev, frame->key.seq);
    info.addRecord(frame->key.seq, frame->offset, frame->size, frame->key.is_gap);
  }
  valid_end = reader.validEnd();
  return Status::ok();
}

// The segment file, open for repair, with its size; nullopt when it is not a regular file we
// can open or is far larger than any segment we write.
std::optional<std::pair<File, uint64_t>> openForScan(const std::string& path,
                                                     const ScanContext& ctx) {
  auto file = File::open(path, OpenOptions::readWrite(OpenCreate::kExisting));
  if (!file.isOk()) return std::nullopt;
  auto st = file->stat();
  if (!st.isOk() || !st->isRegular() || st->size > ctx.max_file_bytes) return std::nullopt;
  return std::make_pair(std::move(*file), st->size);
}

// Recovered records may still sit only in the page cache after a crash; readPending hands out
// durable records only, so make them durable now. When the disk refuses, the records are kept
// (they are readable and may exist nowhere else) but the failure is logged and counted.
void makeDurable(File& file, const std::string& path, RecoveryReport& report) {
  if (Status st = file.dataSync(); !st.isOk()) {
    ++report.unsynced_files;
    componentLogger(LogComponent::kAgentSpool)
        ->error("recovered segment {} may not be durable: {}", path, st.toString());
  }
}

std::optional<SegmentInfo> scanSegment(const std::string& path, uint64_t first_seq, bool is_last,
                                       ScanContext& ctx, RecoveryReport& report) {
  auto opened = openForScan(path, ctx);
  if (!opened) {
    setAside(path, report);
    return std::nullopt;
  }
  auto& [file, size] = *opened;
  SegmentInfo info(first_seq, path);
  ScanContext local = ctx;  // committed only when the segment is kept
  uint64_t valid_end = 0;
  if (!indexFrames(file, size, info, local, valid_end).isOk()) {
    setAside(path, report);
    return std::nullopt;
  }
  if (info.empty()) {  // its records, if any, show up as a hole before the next kept one
    dropEmptySegment(path, file, size, is_last, valid_end > 0, report);
    return std::nullopt;
  }
  if (valid_end < size) {
    if (is_last) {
      report.torn_bytes += size - valid_end;
    } else {
      ++local.pending_regions;  // garbage after the end of a segment that was rolled
    }
    if (!file.truncate(valid_end).isOk()) {
      setAside(path, report);
      return std::nullopt;
    }
  }
  makeDurable(file, path, report);
  info.setBytes(valid_end);
  ctx = local;
  return info;
}

void pruneBadFiles(const std::vector<std::string>& bad_files) {
  if (bad_files.size() <= kMaxBadFiles) return;
  for (size_t i = 0; i + kMaxBadFiles < bad_files.size(); ++i) deleteQuietly(bad_files[i]);
}

Result<uint64_t> newEpoch() {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, randomBytes(8));
  uint64_t epoch = 0;
  std::memcpy(&epoch, bytes.data(), 8);
  return epoch == 0 ? 1 : epoch;
}

// Decides the epoch (see header) and persists it when EPOCH was not valid.
Result<uint64_t> resolveEpoch(const std::string& dir, const MetaLoad<uint64_t>& from_file,
                              const ScanContext& ctx, const MetaLoad<AckCursor>& acked) {
  if (from_file.value) return *from_file.value;
  uint64_t epoch = 0;
  if (ctx.epoch) {
    epoch = *ctx.epoch;
  } else if (acked.value && acked.value->epoch != 0) {
    epoch = acked.value->epoch;
  } else {
    XIAOAN_ASSIGN_OR_RETURN(epoch, newEpoch());
  }
  Status st = storeEpoch(dir + "/" + kEpochFile, epoch);
  if (!st.isOk()) {
    componentLogger(LogComponent::kAgentSpool)->error("cannot persist epoch: {}", st.toString());
  }
  return epoch;
}

void dropAckedSegments(RecoveredStream& out) {
  for (auto it = out.segments.begin(); it != out.segments.end();) {
    if (it->second.lastSeq() > out.acked_seq) break;
    deleteQuietly(it->second.path());
    it = out.segments.erase(it);
  }
}

uint64_t maxSegmentFileBytes(uint64_t segment_bytes) {
  uint64_t legit = 2 * segment_bytes + kFrameHeaderBytes + kMaxRecordBytes;
  return std::max<uint64_t>(legit, uint64_t{64} << 20);
}

}  // namespace

std::string segmentFileName(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020" PRIu64 "%s", first_seq, kSegmentSuffix);
  return buf;
}

Result<RecoveredStream> recoverStream(const std::string& dir, const std::string& name,
                                      uint64_t segment_bytes, RecoveryReport& report) {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir, 0700));
  XIAOAN_ASSIGN_OR_RETURN(DirListing listing, listStreamDir(dir));
  auto epoch_file = loadEpoch(dir + "/" + kEpochFile);
  auto acked_file = loadAcked(dir + "/" + kAckedFile);
  auto stats_file = loadStats(dir + "/" + kStatsFile);
  report.bad_state_files += epoch_file.garbage + acked_file.garbage + stats_file.garbage;

  RecoveredStream out;
  ScanContext ctx;
  ctx.stream = name;
  ctx.epoch = epoch_file.value;
  ctx.max_file_bytes = maxSegmentFileBytes(segment_bytes);
  if (acked_file.value && epoch_file.value && acked_file.value->epoch == *epoch_file.value) {
    ctx.acked_hint = acked_file.value->seq;
  }
  for (auto it = listing.segments.begin(); it != listing.segments.end(); ++it) {
    bool is_last = std::next(it) == listing.segments.end();
    if (auto info = scanSegment(it->second, it->first, is_last, ctx, report)) {
      out.segments.emplace(it->first, std::move(*info));
    }
  }
  report.corrupt_records += ctx.corrupt + ctx.pending_regions;
  XIAOAN_ASSIGN_OR_RETURN(out.epoch, resolveEpoch(dir, epoch_file, ctx, acked_file));
  if (acked_file.value && acked_file.value->epoch == out.epoch) {
    out.acked_seq = std::min(acked_file.value->seq, kMaxSeq);
  } else if (acked_file.value) {
    ++report.bad_state_files;  // a cursor of another epoch says nothing about this one
  }
  out.last_seq = ctx.last_seq;
  out.counters = stats_file.value.value_or(StreamCounters{});
  dropAckedSegments(out);
  pruneBadFiles(listing.bad_files);
  XIAOAN_RETURN_IF_ERROR(fsyncDir(dir));
  return out;
}

}  // namespace xiaoan::agent
