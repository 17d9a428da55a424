#include "service/collector/admin_api/record_cursor.h"

#include <charconv>

namespace xiaoan::collector {
namespace {

constexpr std::string_view kPrefix = "r1";
constexpr char kHex[] = "0123456789abcdef";

Status badCursor() {
  return Status(ErrorCode::kInvalidArgument, "cursor is not one this search handed out");
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A decimal int64 filling all of `text` (an optional '-', no '+', no leading zeros).
bool parseInt(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  std::string_view digits = text.front() == '-' ? text.substr(1) : text;
  if (digits.empty() || (digits.size() > 1 && digits.front() == '0')) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string encodeRecordCursor(char kind, int64_t time_ms, int64_t id) {
  const std::string plain =
      std::string(kPrefix) + ":" + kind + ":" + std::to_string(time_ms) + ":" + std::to_string(id);
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

Result<std::pair<int64_t, int64_t>> decodeRecordCursor(char kind, std::string_view cursor) {
  if (cursor.empty() || cursor.size() > kMaxCursorBytes || cursor.size() % 2 != 0) {
    return badCursor();
  }
  std::string plain;
  for (size_t i = 0; i < cursor.size(); i += 2) {
    int hi = hexValue(cursor[i]);
    int lo = hexValue(cursor[i + 1]);
    if (hi < 0 || lo < 0) return badCursor();
    plain += static_cast<char>(hi * 16 + lo);
  }
  const std::string head = std::string(kPrefix) + ":" + kind + ":";
  if (plain.compare(0, head.size(), head) != 0) return badCursor();
  std::string_view rest = std::string_view(plain).substr(head.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return badCursor();
  int64_t time_ms = 0;
  int64_t id = 0;
  if (!parseInt(rest.substr(0, colon), time_ms) || !parseInt(rest.substr(colon + 1), id) ||
      id < 1) {
    return badCursor();
  }
  return std::make_pair(time_ms, id);
}

}  // namespace xiaoan::collector
