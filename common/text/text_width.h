#pragma once

// Terminal text helpers shared by the command-line tools (xiaoanctl, xiaoan-admin): aligned
// columns must count CJK characters as two columns, and text that came from the network or
// from files must not be able to drive the terminal with escape sequences.

#include <cstddef>
#include <string>
#include <string_view>

namespace xiaoan {

// Columns a UTF-8 string occupies in a terminal: East Asian wide and fullwidth characters
// (汉字, fullwidth punctuation such as "（）：", Hangul, Kana, most emoji) count 2, combining
// marks and zero-width characters 0, everything else 1. Invalid bytes count 1 each.
size_t displayWidth(std::string_view utf8);

// `utf8` followed by spaces up to `width` columns (never truncates).
std::string padRight(std::string_view utf8, size_t width);

// `utf8` cut to at most `width` columns, ending in "…" when something was cut; never splits
// a character.
std::string truncateToWidth(std::string_view utf8, size_t width);

// Copy of `text` safe to print: control characters (C0, DEL, C1), bidi controls (isBidiControl
// in common/text/utf8.h) and invalid UTF-8 are replaced by U+FFFD, so untrusted strings cannot
// move the cursor, recolour the terminal or reorder what the reader sees.
std::string sanitizeForTerminal(std::string_view text);

}  // namespace xiaoan
