#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace xiaoan::agent {

// In-memory index of one segment file: which sequence numbers it holds and where, so that
// reads can seek close to a sequence number and counts need no disk access.
class SegmentInfo {
 public:
  SegmentInfo(uint64_t first_seq, std::string path)
      : first_seq_(first_seq), path_(std::move(path)) {}

  // Records one valid frame at `offset`; seq must be larger than every seq added before.
  void addRecord(uint64_t seq, uint64_t offset, uint64_t frame_bytes, bool is_gap);

  // Bytes of the file that belong to it: valid frames of rejected records can extend it past
  // the last indexed record, and appends must go after them.
  void setBytes(uint64_t bytes) { bytes_ = bytes; }

  uint64_t firstSeqName() const { return first_seq_; }  // from the file name
  const std::string& path() const { return path_; }
  uint64_t bytes() const { return bytes_; }
  uint64_t records() const { return records_; }
  uint64_t lastSeq() const { return runs_.empty() ? 0 : runs_.back().second; }
  bool empty() const { return records_ == 0; }

  // Whether a record with this seq was indexed.
  bool contains(uint64_t seq) const;
  // Number of records with a seq above `seq`.
  uint64_t countAbove(uint64_t seq) const;
  // Smallest seq above `seq`, or 0.
  uint64_t firstAbove(uint64_t seq) const;
  // A frame offset at or before the record with the smallest seq >= `seq`.
  uint64_t seekOffset(uint64_t seq) const;
  // (seq, offset) of the gap records, ascending.
  const std::vector<std::pair<uint64_t, uint64_t>>& gapRecords() const { return gaps_; }

 private:
  uint64_t first_seq_;
  std::string path_;
  uint64_t bytes_ = 0;
  uint64_t records_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> runs_;         // [first, last] present seqs
  std::vector<std::pair<uint64_t, uint64_t>> checkpoints_;  // (seq, offset), sparse
  std::vector<std::pair<uint64_t, uint64_t>> gaps_;         // (seq, offset)
};

}  // namespace xiaoan::agent
