#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "agent/spool/record_frame.h"
#include "platform/file.h"
#include "platform/result.h"

namespace xiaoan::agent {

// One valid frame found by SegmentReader.
struct SegmentFrame {
  uint64_t offset = 0;       // of the frame in the file
  uint64_t size = 0;         // header + payload bytes
  std::string_view payload;  // valid until the next call to SegmentReader::next()
  RecordKey key;
  bool after_skip = false;  // invalid bytes were skipped just before this frame
};

// Buffered, forward-only reader of the frames in [begin, end) of a segment file, reading at
// offsets (File::readAt) so it never moves a shared file position. A frame is valid when its
// magic, length, CRC and record key check out; invalid bytes are skipped by searching for the
// next magic (resync).
class SegmentReader {
 public:
  // `file` must outlive the reader.
  SegmentReader(const File& file, uint64_t begin, uint64_t end);

  // The next valid frame, nullopt at the end. E_IO only when the file cannot be read.
  Result<std::optional<SegmentFrame>> next();

  // End of the last valid frame returned (begin when none): everything after it up to `end`
  // is trailing garbage or a torn tail.
  uint64_t validEnd() const { return valid_end_; }

 private:
  Result<std::optional<SegmentFrame>> frameAt(uint64_t pos);
  Result<std::optional<uint64_t>> findMagic(uint64_t from);
  // Makes [pos, pos + n) available in the buffer; false when it lies beyond the end.
  Result<bool> ensure(uint64_t pos, uint64_t n);
  const char* at(uint64_t pos) const { return buf_.get() + (pos - buf_off_); }

  const File& file_;
  uint64_t pos_;
  uint64_t end_;
  uint64_t valid_end_;
  std::unique_ptr<char[]> buf_;
  uint64_t buf_cap_ = 0;
  uint64_t buf_off_ = 0;
  uint64_t buf_len_ = 0;
};

}  // namespace xiaoan::agent
