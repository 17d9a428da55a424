#include "common/naming/pinyin.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/naming/pinyin_table.inc"
#include "common/text/utf8.h"

namespace xiaoan::naming {
namespace {

// Surnames read differently as surnames than as words (and compound surnames whose first
// character alone would be read otherwise). Readings are space-separated syllables.
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> kSurnames = {{
    {"尉迟", "yu chi"},  {"万俟", "mo qi"},  {"长孙", "zhang sun"}, {"单于", "chan yu"},
    {"澹台", "tan tai"}, {"宰父", "zai fu"}, {"亓官", "qi guan"},   {"乐正", "yue zheng"},
    {"单", "shan"},      {"曾", "zeng"},     {"解", "xie"},         {"仇", "qiu"},
    {"区", "ou"},        {"朴", "piao"},     {"查", "zha"},         {"乐", "yue"},
    {"覃", "qin"},       {"盖", "ge"},       {"缪", "miao"},        {"翟", "zhai"},
    {"秘", "bi"},        {"种", "chong"},    {"繁", "po"},          {"句", "gou"},
    {"召", "shao"},      {"折", "she"},      {"员", "yun"},         {"宓", "fu"},
    {"能", "nai"},       {"隗", "wei"},      {"眭", "sui"},         {"逄", "pang"},
    {"谌", "chen"},      {"阚", "kan"},      {"蕃", "pi"},          {"厍", "she"},
    {"訾", "zi"},        {"莘", "shen"},     {"沈", "shen"},        {"重", "chong"},
}};

// Place names in school names and abbreviations whose characters read otherwise alone
// (厦 sha in 大厦, xia in 厦门; 重 zhong, chong in 重庆).
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kWords = {{
    {"厦门", "xia men"},
    {"重庆", "chong qing"},
    {"蚌埠", "beng bu"},
    {"六安", "lu an"},
    {"丽水", "li shui"},
    {"番禺", "pan yu"},
    {"长沙", "chang sha"},
    {"朝阳", "chao yang"},
}};

using Reading = std::pair<std::string_view, std::string_view>;

// The longest entry of `table` that `s` starts with, or nullptr.
template <size_t N>
const Reading* longestPrefix(const std::array<Reading, N>& table, std::string_view s) {
  const Reading* best = nullptr;
  for (const auto& entry : table) {
    if (s.substr(0, entry.first.size()) == entry.first &&
        (best == nullptr || entry.first.size() > best->first.size())) {
      best = &entry;
    }
  }
  return best;
}

void appendReading(std::string_view reading, PinyinText& out) {
  for (size_t pos = 0; pos <= reading.size();) {
    size_t space = std::min(reading.find(' ', pos), reading.size());
    out.pieces.emplace_back(reading.substr(pos, space - pos));
    pos = space + 1;
  }
}

bool isAsciiAlnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Characters that separate name parts without being part of it.
bool isSeparator(char32_t c) {
  return c < 0x80 || c == 0x00B7 || c == 0x30FB || c == 0x2022 || c == 0x3000 ||
         (c >= 0xFF01 && c <= 0xFF0F);
}

void romanizeInto(std::string_view s, PinyinText& out) {
  bool in_ascii_run = false;
  for (size_t i = 0; i < s.size();) {
    if (const Reading* word = longestPrefix(kWords, s.substr(i))) {
      appendReading(word->second, out);
      i += word->first.size();
      in_ascii_run = false;
      continue;
    }
    char32_t cp = 0;
    size_t len = decodeUtf8(s, i, &cp);
    if (len == 0) {
      out.complete = false;
      return;
    }
    i += len;
    if (isAsciiAlnum(cp)) {
      if (!in_ascii_run) out.pieces.emplace_back();
      out.pieces.back().push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
      in_ascii_run = true;
      continue;
    }
    in_ascii_run = false;
    std::string_view syllable = syllableOf(cp);
    if (!syllable.empty()) {
      out.pieces.emplace_back(syllable);
    } else if (!isSeparator(cp)) {
      out.complete = false;
    }
  }
}

}  // namespace

std::string_view syllableOf(char32_t code_point) {
  const auto& entries = generated::kEntries;
  auto it = std::lower_bound(
      std::begin(entries), std::end(entries), code_point,
      [](const generated::PinyinEntry& e, char32_t cp) { return e.code_point < cp; });
  if (it == std::end(entries) || it->code_point != code_point) return {};
  return generated::kSyllables[it->syllable];
}

PinyinText romanize(std::string_view utf8) {
  PinyinText out;
  romanizeInto(utf8, out);
  return out;
}

PinyinText romanizePersonName(std::string_view utf8) {
  PinyinText out;
  if (const Reading* surname = longestPrefix(kSurnames, utf8)) {
    appendReading(surname->second, out);
    utf8.remove_prefix(surname->first.size());
  }
  romanizeInto(utf8, out);
  return out;
}

std::string joinPinyin(const PinyinText& text) {
  std::string out;
  for (const auto& piece : text.pieces) out += piece;
  return out;
}

std::string pinyinInitials(const PinyinText& text) {
  std::string out;
  for (const auto& piece : text.pieces) {
    if (!piece.empty()) out.push_back(piece[0]);
  }
  return out;
}

}  // namespace xiaoan::naming
