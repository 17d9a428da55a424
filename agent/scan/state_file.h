#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "platform/result.h"

// The engine's small state files (result cache, fault list): an 8-byte magic, a CRC-32C of the
// payload, the payload; replaced atomically. Host byte order: the files never leave the machine.

namespace xiaoan::agent::scan {

Status writeStateFile(const std::string& path, std::string_view magic, std::string_view payload);

// The payload; E_NOT_FOUND when absent, E_IO when unreadable or larger
// than max_bytes, E_INVALID_ARGUMENT when the magic or CRC does not match (a damaged file).
Result<std::string> readStateFile(const std::string& path, std::string_view magic,
                                  size_t max_bytes);

// Fixed-width fields in and out of a payload. The writer appends to a caller's string (whose
// capacity can be reused).
class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(*out) {}
  template <typename T>
  void put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void putBytes(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }

 private:
  std::string& out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  template <typename T>
  bool get(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::memcpy(v, in_.data(), sizeof(T));
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool getBytes(std::string* s, size_t max) {
    uint32_t n = 0;
    if (!get(&n) || n > max || in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace xiaoan::agent::scan
