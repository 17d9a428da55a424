#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "agent/spool/segment_info.h"
#include "agent/spool/spool_meta.h"
#include "platform/result.h"

namespace xiaoan::agent {

// What recovery found wrong; summed over streams into SpoolStats.
struct RecoveryReport {
  // Records lost to damage: the seqs missing between kept records, at least one per damaged
  // region, plus valid frames rejected (wrong stream, epoch or seq order).
  uint64_t corrupt_records = 0;
  uint64_t torn_bytes = 0;       // truncated from the tail of a stream's last segment
  uint64_t bad_files = 0;        // segment files set aside as *.bad
  uint64_t bad_state_files = 0;  // garbage EPOCH/ACKED/STATS files treated as missing
  uint64_t unsynced_files = 0;   // kept segments whose fdatasync failed (may not be durable)
};

// The state of one stream directory after recovery.
struct RecoveredStream {
  uint64_t epoch = 0;
  uint64_t acked_seq = 0;
  uint64_t last_seq = 0;  // highest seq of a record on disk, 0 when none
  StreamCounters counters;
  std::map<uint64_t, SegmentInfo> segments;  // by first seq (file name)
};

// Scans and repairs the stream directory `dir` (created when missing) holding stream `name`:
// truncates a torn tail of the last segment, skips and counts corrupt records, sets aside
// unreadable segment files, treats garbage state files as missing, deletes fully acked
// segments and stale temp files, and fsyncs what it keeps (a segment whose fdatasync fails is
// kept and counted in unsynced_files). Bad data never makes it fail; only an unusable
// directory does.
//
// The epoch comes from EPOCH; when that is missing or garbage, from the first valid record,
// else from the ACKED cursor, else it is new (random). Records of another epoch are corrupt.
Result<RecoveredStream> recoverStream(const std::string& dir, const std::string& name,
                                      uint64_t segment_bytes, RecoveryReport& report);

// "00000000000000000042.seg" for first seq 42.
std::string segmentFileName(uint64_t first_seq);

}  // namespace xiaoan::agent
