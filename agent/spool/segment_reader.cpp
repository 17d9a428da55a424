#include "agent/spool/segment_reader.h"

#include <algorithm>
#include <string_view>

#include "agent/spool/spool_io.h"

namespace xiaoan::agent {
namespace {

// Read granularity: large enough for a batch of small records in one read.
constexpr uint64_t kChunkBytes = 256 * 1024;

}  // namespace

SegmentReader::SegmentReader(const File& file, uint64_t begin, uint64_t end)
    : file_(file), pos_(begin), end_(std::max(begin, end)), valid_end_(begin) {}

Result<std::optional<SegmentFrame>> SegmentReader::next() {
  uint64_t pos = pos_;
  bool skipped = false;
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(std::optional<SegmentFrame> frame, frameAt(pos));
    if (frame) {
      frame->after_skip = skipped;
      pos_ = valid_end_ = pos + frame->size;
      return frame;
    }
    skipped = true;
    XIAOAN_ASSIGN_OR_RETURN(std::optional<uint64_t> candidate, findMagic(pos + 1));
    if (!candidate) {
      pos_ = end_;
      return std::optional<SegmentFrame>();
    }
    pos = *candidate;
  }
}

Result<std::optional<SegmentFrame>> SegmentReader::frameAt(uint64_t pos) {
  std::optional<SegmentFrame> none;
  XIAOAN_ASSIGN_OR_RETURN(bool have_header, ensure(pos, kFrameHeaderBytes));
  if (!have_header) return none;
  std::optional<uint32_t> len = framePayloadLength(at(pos));
  if (!len) return none;
  uint64_t size = kFrameHeaderBytes + *len;
  XIAOAN_ASSIGN_OR_RETURN(bool have_frame, ensure(pos, size));
  if (!have_frame) return none;
  std::string_view frame(at(pos), size);
  if (!frameCrcMatches(frame)) return none;
  std::string_view payload = frame.substr(kFrameHeaderBytes);
  std::optional<RecordKey> key = peekRecordKey(payload);
  if (!key) return none;
  SegmentFrame out;
  out.offset = pos;
  out.size = size;
  out.payload = payload;
  out.key = *key;
  return std::optional<SegmentFrame>(out);
}

Result<std::optional<uint64_t>> SegmentReader::findMagic(uint64_t from) {
  for (;;) {
    XIAOAN_ASSIGN_OR_RETURN(bool have, ensure(from, sizeof kFrameMagic));
    if (!have) return std::optional<uint64_t>();
    uint64_t avail = buf_off_ + buf_len_ - from;
    const size_t hit =
        std::string_view(at(from), avail).find(std::string_view(kFrameMagic, sizeof kFrameMagic));
    if (hit != std::string_view::npos) return std::optional<uint64_t>(from + hit);
    // Keep the last 3 bytes: a magic may straddle the buffer end.
    from += avail - (sizeof kFrameMagic - 1);
  }
}

Result<bool> SegmentReader::ensure(uint64_t pos, uint64_t n) {
  if (pos >= buf_off_ && pos + n <= buf_off_ + buf_len_) return true;
  if (pos > end_ || n > end_ - pos) return false;
  uint64_t want = std::min(std::max(n, kChunkBytes), end_ - pos);
  if (want > buf_cap_) {
    buf_ = std::make_unique<char[]>(want);
    buf_cap_ = want;
  }
  buf_off_ = pos;
  buf_len_ = 0;
  Result<size_t> got = file_.readAt(buf_.get(), want, pos);
  if (!got.isOk()) return spoolIoError("read spool segment", got.status());
  buf_len_ = *got;
  if (buf_len_ < want) end_ = pos + buf_len_;  // the file is shorter than we were told
  return buf_len_ >= n;
}

}  // namespace xiaoan::agent
