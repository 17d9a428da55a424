#include "common/net/ipv4.h"

namespace xiaoan::net {

std::optional<uint32_t> parseIpv4(std::string_view text) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    const size_t start = i;
    uint32_t part = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) {
      part = part * 10 + static_cast<uint32_t>(text[i] - '0');
      ++i;
    }
    const size_t len = i - start;
    if (len == 0 || part > 255 || (len > 1 && text[start] == '0')) return std::nullopt;
    out = (out << 8) | part;
    ++parts;
    if (parts < 4) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != text.size()) return std::nullopt;
  return out;
}

std::string formatIpv4(uint32_t address) {
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
         std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

}  // namespace xiaoan::net
