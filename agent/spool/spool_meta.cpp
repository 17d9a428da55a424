#include "agent/spool/spool_meta.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "common/crc32c.h"
#include "platform/file_util.h"

namespace xiaoan::agent {
namespace {

// Layout: magic (4) | u64 fields, little-endian | CRC32C of everything before it (4).
constexpr size_t kMaxMetaFileBytes = 256;

void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t getU64(const char* p, int bytes = 8) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string seal(std::string_view magic, const std::vector<uint64_t>& fields) {
  std::string out(magic);
  for (uint64_t f : fields) putU64(out, f);
  uint32_t crc = crc32c(out.data(), out.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

// Reads a sealed file with `count` fields; fields empty when missing, garbage flagged.
MetaLoad<std::vector<uint64_t>> unseal(const std::string& path, std::string_view magic,
                                       size_t count) {
  MetaLoad<std::vector<uint64_t>> out;
  Result<std::string> data = readFile(path, kMaxMetaFileBytes);
  if (!data.isOk()) {
    out.garbage = data.status().code() != ErrorCode::kNotFound;
    return out;
  }
  const std::string& d = *data;
  size_t body = magic.size() + 8 * count;
  if (d.size() != body + 4 || d.compare(0, magic.size(), magic) != 0 ||
      getU64(d.data() + body, 4) != crc32c(d.data(), body)) {
    out.garbage = true;
    return out;
  }
  std::vector<uint64_t> fields;
  for (size_t i = 0; i < count; ++i) fields.push_back(getU64(d.data() + magic.size() + 8 * i));
  out.value = std::move(fields);
  return out;
}

constexpr std::string_view kEpochMagic = "XEP1";
constexpr std::string_view kAckedMagic = "XAK1";
constexpr std::string_view kStatsMagic = "XST2";
constexpr size_t kStatsFields = 6;

}  // namespace

MetaLoad<uint64_t> loadEpoch(const std::string& path) {
  auto raw = unseal(path, kEpochMagic, 1);
  MetaLoad<uint64_t> out{std::nullopt, raw.garbage};
  if (raw.value) {
    if ((*raw.value)[0] != 0) {
      out.value = (*raw.value)[0];
    } else {
      out.garbage = true;  // 0 is never a valid epoch
    }
  }
  return out;
}

Status storeEpoch(const std::string& path, uint64_t epoch) {
  return atomicWriteFile(path, seal(kEpochMagic, {epoch}));
}

MetaLoad<AckCursor> loadAcked(const std::string& path) {
  auto raw = unseal(path, kAckedMagic, 2);
  MetaLoad<AckCursor> out{std::nullopt, raw.garbage};
  if (raw.value) out.value = AckCursor{(*raw.value)[0], (*raw.value)[1]};
  return out;
}

Status storeAcked(const std::string& path, const AckCursor& cursor) {
  return atomicWriteFile(path, seal(kAckedMagic, {cursor.epoch, cursor.seq}));
}

MetaLoad<StreamCounters> loadStats(const std::string& path) {
  auto raw = unseal(path, kStatsMagic, kStatsFields);
  MetaLoad<StreamCounters> out{std::nullopt, raw.garbage};
  if (!raw.value) return out;
  const std::vector<uint64_t>& f = *raw.value;
  StreamCounters c;
  c.dropped_records = f[0];
  if (f[1] != 0) c.pending_gap = PendingGap{f[2], f[3], f[4], f[5]};
  out.value = c;
  return out;
}

Status storeStats(const std::string& path, const StreamCounters& counters) {
  PendingGap gap = counters.pending_gap.value_or(PendingGap{});
  return atomicWriteFile(
      path, seal(kStatsMagic, {counters.dropped_records, counters.pending_gap ? 1u : 0u,
                               gap.first_seq, gap.last_seq, gap.count, gap.after_seq}));
}

}  // namespace xiaoan::agent
