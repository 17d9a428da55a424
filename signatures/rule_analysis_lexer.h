#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

// A lexer over YARA source text, just enough to cut a file into rules and to read the
// structure of a condition. It never evaluates anything: what it cannot classify it reports as
// an error, and the caller then treats the whole file as "not understood".

namespace xiaoan::sig::analysis {

enum class TokKind {
  kIdent,     // rule, and, pe, filesize, uint16 ...
  kStringId,  // $a, $, $a* (text holds the whole token)
  kCountId,   // #a
  kOffsetId,  // @a
  kLengthId,  // !a
  kNumber,    // 12, 0x5a4d, 0o17, 1.5, 64KB (value in `number` when integral)
  kText,      // "..." (text holds the decoded bytes)
  kRegex,     // /.../is
  kHex,       // { 4D 5A ?? [2-4] } (text holds the raw inside)
  kPunct,     // ( ) [ ] { } , : . = == != < <= > >= << >> .. + - * \ % & | ^ ~
};

struct Token {
  TokKind kind = TokKind::kPunct;
  std::string text;     // identifier / punctuation / decoded string
  uint64_t number = 0;  // kNumber, when integral
  bool integral = false;
  size_t begin = 0;  // byte offsets into the source
  size_t end = 0;
};

// Whole-file tokenisation. Outside comments and strings every '/' starts a regex (YARA divides
// with '\'); a hex string is recognised only after `=`.
Result<std::vector<Token>> tokenize(std::string_view src);

inline bool isPunct(const Token& t, std::string_view p) {
  return t.kind == TokKind::kPunct && t.text == p;
}
inline bool isIdent(const Token& t, std::string_view id) {
  return t.kind == TokKind::kIdent && t.text == id;
}

// 1-based line of a byte offset.
uint32_t lineOf(std::string_view src, size_t offset);

}  // namespace xiaoan::sig::analysis
