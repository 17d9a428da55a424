#include "common/text/utf8.h"

#include <cstdint>

namespace xiaoan {

size_t decodeUtf8(std::string_view s, size_t i, char32_t* out) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  size_t len = b0 < 0x80           ? 1
               : (b0 >> 5) == 0x6  ? 2
               : (b0 >> 4) == 0xE  ? 3
               : (b0 >> 3) == 0x1E ? 4
                                   : 0;
  if (len == 0 || i + len > s.size()) return 0;
  char32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;  // overlong etc.
  *out = c;
  return len;
}

bool isWellFormedUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t c = 0;
    const size_t len = decodeUtf8(s, i, &c);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

bool isControlChar(char32_t c) { return c < 0x20 || (c >= 0x7F && c < 0xA0); }

bool isBidiControl(char32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
         c == 0x200F || c == 0x061C;
}

}  // namespace xiaoan
