#include "agent/browsing/cursor_store.h"

#include <charconv>

#include "platform/file_util.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr std::string_view kHeader = "xiaoan-browsing-cursors 2\n";

template <typename T>
bool takeNumber(std::string_view& line, T* out) {
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  auto [p, ec] = std::from_chars(line.data(), line.data() + sp, *out);
  if (ec != std::errc() || p != line.data() + sp) return false;
  line.remove_prefix(sp + 1);
  return true;
}

std::optional<std::pair<std::string, SavedCursor>> parseLine(std::string_view line) {
  SavedCursor c;
  int time_only = 0;
  if (!takeNumber(line, &c.cursor.time) || !takeNumber(line, &c.cursor.id) ||
      !takeNumber(line, &time_only) || !takeNumber(line, &c.db_id.dev) ||
      !takeNumber(line, &c.db_id.ino) || !takeNumber(line, &c.window_start) ||
      !takeNumber(line, &c.window_count) || line.empty() || (time_only != 0 && time_only != 1)) {
    return std::nullopt;
  }
  c.cursor.time_only = time_only == 1;
  return std::make_pair(std::string(line), c);
}

}  // namespace

Status CursorStore::load() {
  auto text = readFile(path_, kMaxCursorFileBytes);
  if (!text.isOk()) {
    return text.status().code() == ErrorCode::kNotFound ? Status::ok() : text.status();
  }
  parse(*text);
  return Status::ok();
}

void CursorStore::parse(std::string_view text) {
  cursors_.clear();
  if (text.substr(0, kHeader.size()) != kHeader) return;
  text.remove_prefix(kHeader.size());
  while (!text.empty() && cursors_.size() < kMaxSavedCursors) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;  // a torn last line
    auto entry = parseLine(text.substr(0, nl));
    text.remove_prefix(nl + 1);
    if (entry) cursors_[entry->first] = entry->second;
  }
}

std::string CursorStore::serialize() const {
  std::string out(kHeader);
  for (const auto& [key, c] : cursors_) {
    out += std::to_string(c.cursor.time) + ' ' + std::to_string(c.cursor.id) + ' ' +
           (c.cursor.time_only ? "1 " : "0 ") + std::to_string(c.db_id.dev) + ' ' +
           std::to_string(c.db_id.ino) + ' ' + std::to_string(c.window_start) + ' ' +
           std::to_string(c.window_count) + ' ' + key + '\n';
  }
  return out;
}

Status CursorStore::save() const { return atomicWriteFile(path_, serialize(), 0600); }

std::optional<SavedCursor> CursorStore::get(const std::string& key) const {
  auto it = cursors_.find(key);
  if (it == cursors_.end()) return std::nullopt;
  return it->second;
}

Status CursorStore::put(const std::string& key, const SavedCursor& cursor) {
  if (key.empty() || key.find('\n') != std::string::npos) {
    return Status(ErrorCode::kInvalidArgument, "cursor key must be one line");
  }
  if (cursors_.size() >= kMaxSavedCursors && !cursors_.contains(key)) {
    return Status(ErrorCode::kTooLarge, "too many browser profiles");
  }
  cursors_[key] = cursor;
  return Status::ok();
}

}  // namespace xiaoan::agent::browsing
