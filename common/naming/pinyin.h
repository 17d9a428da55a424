#pragma once

#include <string>
#include <string_view>
#include <vector>

// Toneless ASCII pinyin for names: the customary Mandarin reading of each ideograph from a table
// generated at build time from Unicode's Unihan data (tools/gen_pinyin_table.py, kMandarin), and
// a table of surnames whose reading as a surname differs (单 shan, 曾 zeng, 解 xie, 尉迟 yuchi…),
// applied to the first character(s) of a person's name. "ü" is written "v" (吕 -> lv).
namespace xiaoan::naming {

// The syllable of one code point, lower case ("li"), or "" when it has no Mandarin reading.
std::string_view syllableOf(char32_t code_point);

// One romanised piece of a text: a syllable of a Han character, or a run of ASCII letters and
// digits (lower-cased). Other characters (punctuation, '·' in transliterated names, spaces,
// characters without a reading) separate pieces and are dropped.
struct PinyinText {
  std::vector<std::string> pieces;
  // False when a character other than punctuation/space had no reading (then the text cannot
  // be romanised faithfully).
  bool complete = true;
};

// Romanises `utf8` character by character (no surname rule): room names, school abbreviations,
// literal text; a few place names whose characters read otherwise alone (厦门 xiamen, 重庆
// chongqing) are taken as words. Ill-formed UTF-8 makes it incomplete.
PinyinText romanize(std::string_view utf8);

// Romanises a person's name: like romanize(), with the surname table applied to the leading
// characters (the longest surname that matches): "单田芳" -> shan tian fang.
PinyinText romanizePersonName(std::string_view utf8);

// "liwei" / "lw": the pieces joined, or their first letters.
std::string joinPinyin(const PinyinText& text);
std::string pinyinInitials(const PinyinText& text);

}  // namespace xiaoan::naming
