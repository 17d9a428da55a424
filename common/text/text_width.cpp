#include "common/text/text_width.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/text/utf8.h"

namespace xiaoan {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

// East Asian Width W and F (Unicode 15, coalesced). Ambiguous-width characters count as
// narrow, as in glibc's wcwidth.
constexpr std::array kWide = {
    Range{0x1100, 0x115F},   Range{0x231A, 0x231B},   Range{0x2329, 0x232A},
    Range{0x23E9, 0x23EC},   Range{0x23F0, 0x23F0},   Range{0x23F3, 0x23F3},
    Range{0x25FD, 0x25FE},   Range{0x2614, 0x2615},   Range{0x2648, 0x2653},
    Range{0x267F, 0x267F},   Range{0x2693, 0x2693},   Range{0x26A1, 0x26A1},
    Range{0x26AA, 0x26AB},   Range{0x26BD, 0x26BE},   Range{0x26C4, 0x26C5},
    Range{0x26CE, 0x26CE},   Range{0x26D4, 0x26D4},   Range{0x26EA, 0x26EA},
    Range{0x26F2, 0x26F3},   Range{0x26F5, 0x26F5},   Range{0x26FA, 0x26FA},
    Range{0x26FD, 0x26FD},   Range{0x2705, 0x2705},   Range{0x270A, 0x270B},
    Range{0x2728, 0x2728},   Range{0x274C, 0x274C},   Range{0x274E, 0x274E},
    Range{0x2753, 0x2755},   Range{0x2757, 0x2757},   Range{0x2795, 0x2797},
    Range{0x27B0, 0x27B0},   Range{0x27BF, 0x27BF},   Range{0x2B1B, 0x2B1C},
    Range{0x2B50, 0x2B50},   Range{0x2B55, 0x2B55},   Range{0x2E80, 0x303E},
    Range{0x3041, 0x33FF},   Range{0x3400, 0x4DBF},   Range{0x4E00, 0x9FFF},
    Range{0xA000, 0xA4CF},   Range{0xA960, 0xA97F},   Range{0xAC00, 0xD7A3},
    Range{0xF900, 0xFAFF},   Range{0xFE10, 0xFE19},   Range{0xFE30, 0xFE6F},
    Range{0xFF00, 0xFF60},   Range{0xFFE0, 0xFFE6},   Range{0x16FE0, 0x16FE4},
    Range{0x17000, 0x18CFF}, Range{0x1B000, 0x1B2FF}, Range{0x1F004, 0x1F004},
    Range{0x1F0CF, 0x1F0CF}, Range{0x1F18E, 0x1F18E}, Range{0x1F191, 0x1F19A},
    Range{0x1F200, 0x1F251}, Range{0x1F300, 0x1F64F}, Range{0x1F680, 0x1F6FF},
    Range{0x1F7E0, 0x1F7EB}, Range{0x1F90C, 0x1F9FF}, Range{0x1FA70, 0x1FAFF},
    Range{0x20000, 0x2FFFD}, Range{0x30000, 0x3FFFD},
};

// Combining marks and zero-width format characters.
constexpr std::array kZero = {
    Range{0x0300, 0x036F}, Range{0x0483, 0x0489}, Range{0x0591, 0x05BD},   Range{0x0610, 0x061A},
    Range{0x064B, 0x065F}, Range{0x200B, 0x200F}, Range{0x202A, 0x202E},   Range{0x2060, 0x2064},
    Range{0x20D0, 0x20FF}, Range{0x302A, 0x302D}, Range{0x3099, 0x309A},   Range{0xFE00, 0xFE0F},
    Range{0xFE20, 0xFE2F}, Range{0xFEFF, 0xFEFF}, Range{0xE0100, 0xE01EF},
};

template <size_t N>
bool inRanges(const std::array<Range, N>& ranges, char32_t c) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), c,
                             [](char32_t v, const Range& r) { return v < r.first; });
  return it != ranges.begin() && c <= std::prev(it)->last;
}

size_t codePointWidth(char32_t c) {
  if (isControlChar(c) || inRanges(kZero, c)) return 0;
  return inRanges(kWide, c) ? 2 : 1;
}

}  // namespace

size_t displayWidth(std::string_view utf8) {
  size_t width = 0;
  for (size_t i = 0; i < utf8.size();) {
    char32_t c = 0;
    size_t len = decodeUtf8(utf8, i, &c);
    if (len == 0) {
      ++width;
      ++i;
      continue;
    }
    width += codePointWidth(c);
    i += len;
  }
  return width;
}

std::string padRight(std::string_view utf8, size_t width) {
  std::string out(utf8);
  const size_t have = displayWidth(utf8);
  if (have < width) out.append(width - have, ' ');
  return out;
}

std::string truncateToWidth(std::string_view utf8, size_t width) {
  if (displayWidth(utf8) <= width) return std::string(utf8);
  if (width == 0) return {};
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < utf8.size();) {
    char32_t c = 0;
    size_t len = decodeUtf8(utf8, i, &c);
    const size_t w = len == 0 ? 1 : codePointWidth(c);
    if (len == 0) len = 1;
    if (used + w > width - 1) break;  // keep one column for the ellipsis
    out.append(utf8.substr(i, len));
    used += w;
    i += len;
  }
  return out + "\xE2\x80\xA6";  // U+2026, one column
}

std::string sanitizeForTerminal(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t c = 0;
    size_t len = decodeUtf8(text, i, &c);
    if (len == 0 || isControlChar(c) || isBidiControl(c)) {
      out += kReplacement;  // also bidi controls, which can reorder what the reader sees
      i += len == 0 ? 1 : len;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace xiaoan
