#include "agent/spool/record_frame.h"

#include <cstring>

#include "common/crc32c.h"

namespace xiaoan::agent {
namespace {

// Event field numbers the spool looks at without a full parse (see event.proto).
constexpr uint64_t kFieldStream = 1;
constexpr uint64_t kFieldEpoch = 2;
constexpr uint64_t kFieldSeq = 3;
constexpr uint64_t kFirstPayloadField = 20;
constexpr uint64_t kLastPayloadField = 22;
constexpr uint64_t kFieldGap = 21;

void storeLe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t loadLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

bool readVarint(const char*& p, const char* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return false;
    auto b = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

uint32_t frameCrc(std::string_view frame) {
  uint32_t crc = crc32c(frame.data() + 4, 4);
  return crc32c(frame.data() + kFrameHeaderBytes, frame.size() - kFrameHeaderBytes, crc);
}

// Skips (or captures) one field's value; false on malformed input.
bool readField(uint64_t field, uint64_t wire_type, const char*& p, const char* end, RecordKey& key,
               bool& has_epoch, bool& has_seq) {
  uint64_t v = 0;
  switch (wire_type) {
    case 0:
      if (!readVarint(p, end, v)) return false;
      if (field == kFieldSeq) {
        key.seq = v;
        has_seq = true;
      }
      return true;
    case 1:
      if (end - p < 8) return false;
      if (field == kFieldEpoch) {
        key.epoch = loadLe(p, 8);
        has_epoch = true;
      }
      p += 8;
      return true;
    case 2:
      if (!readVarint(p, end, v) || v > static_cast<uint64_t>(end - p)) return false;
      if (field == kFieldStream) key.stream = std::string_view(p, v);
      if (field >= kFirstPayloadField && field <= kLastPayloadField)
        key.is_gap = field == kFieldGap;
      p += v;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:
      return false;  // groups are not used by Event
  }
}

}  // namespace

void sealFrame(std::string& frame) {
  std::memcpy(frame.data(), kFrameMagic, 4);
  storeLe32(frame.data() + 4, static_cast<uint32_t>(frame.size() - kFrameHeaderBytes));
  storeLe32(frame.data() + 8, frameCrc(frame));
}

std::optional<uint32_t> framePayloadLength(const char* header) {
  if (std::memcmp(header, kFrameMagic, 4) != 0) return std::nullopt;
  auto len = static_cast<uint32_t>(loadLe(header + 4, 4));
  if (len == 0 || len > kMaxRecordBytes) return std::nullopt;
  return len;
}

bool frameCrcMatches(std::string_view frame) {
  if (frame.size() < kFrameHeaderBytes) return false;
  return loadLe(frame.data() + 8, 4) == frameCrc(frame);
}

std::optional<RecordKey> peekRecordKey(std::string_view payload) {
  RecordKey key;
  bool has_epoch = false;
  bool has_seq = false;
  const char* p = payload.data();
  const char* end = p + payload.size();
  while (p != end) {
    uint64_t tag = 0;
    if (!readVarint(p, end, tag)) return std::nullopt;
    uint64_t field = tag >> 3;
    if (field == 0 || field > 536870911u) return std::nullopt;
    if (!readField(field, tag & 7, p, end, key, has_epoch, has_seq)) return std::nullopt;
  }
  if (!has_epoch || !has_seq || key.stream.empty()) return std::nullopt;
  return key;
}

}  // namespace xiaoan::agent
