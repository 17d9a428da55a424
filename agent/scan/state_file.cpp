#include "agent/scan/state_file.h"

#include "common/crc32c.h"
#include "platform/file_util.h"

namespace xiaoan::agent::scan {

Status writeStateFile(const std::string& path, std::string_view magic, std::string_view payload) {
  std::string data(magic);
  uint32_t crc = crc32c(payload.data(), payload.size());
  data.append(reinterpret_cast<const char*>(&crc), sizeof crc);
  data.append(payload);
  return atomicWriteFile(path, data, 0600);
}

Result<std::string> readStateFile(const std::string& path, std::string_view magic,
                                  size_t max_bytes) {
  auto data = readFile(path, max_bytes);
  if (!data.isOk()) {
    if (data.status().code() == ErrorCode::kNotFound) return data.status();
    return Status(ErrorCode::kIo, data.status().message());
  }
  std::string& d = *data;
  uint32_t crc = 0;
  if (d.size() < magic.size() + sizeof crc || d.compare(0, magic.size(), magic) != 0) {
    return Status(ErrorCode::kInvalidArgument, path + ": not a state file of this kind");
  }
  std::memcpy(&crc, d.data() + magic.size(), sizeof crc);
  std::string payload = d.substr(magic.size() + sizeof crc);
  if (crc32c(payload.data(), payload.size()) != crc) {
    return Status(ErrorCode::kInvalidArgument, path + ": checksum mismatch");
  }
  return payload;
}

}  // namespace xiaoan::agent::scan
