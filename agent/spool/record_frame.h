#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xiaoan::agent {

// On-disk record frame (all integers little-endian):
//   magic (4) | payload length (4) | CRC32C over length bytes + payload (4) | payload
// The payload is one serialized v1::Event. The magic lets recovery find the next record
// after a corrupt one; the CRC covers the length so a flipped length is detected too.
inline constexpr char kFrameMagic[4] = {'X', 'A', 'S', 'R'};
inline constexpr size_t kFrameHeaderBytes = 12;
// Largest payload append() accepts (E_TOO_LARGE above) and recovery believes.
inline constexpr size_t kMaxRecordBytes = size_t{1} << 20;
// Sequence numbers above this are treated as corrupt (keeps seq + 1 from overflowing).
inline constexpr uint64_t kMaxSeq = uint64_t{1} << 62;

// Fills the header of `frame`, which holds kFrameHeaderBytes reserved bytes followed by the
// payload. The payload must not exceed kMaxRecordBytes.
void sealFrame(std::string& frame);

// Payload length announced by a frame header (at least kFrameHeaderBytes bytes), or nullopt
// when the magic is wrong or the length is 0 or above kMaxRecordBytes.
std::optional<uint32_t> framePayloadLength(const char* header);

// True when the CRC stored in the header of `frame` (header + payload) matches.
bool frameCrcMatches(std::string_view frame);

// The fields recovery and seeking need, read from the payload without a full parse.
struct RecordKey {
  std::string_view stream;  // points into the payload
  uint64_t epoch = 0;
  uint64_t seq = 0;
  bool is_gap = false;  // payload oneof is `gap`
};

// Walks the top-level protobuf fields of an Event payload. nullopt when the wire format is
// malformed or stream, epoch or seq is missing.
std::optional<RecordKey> peekRecordKey(std::string_view payload);

}  // namespace xiaoan::agent
