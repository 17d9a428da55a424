#pragma once

// UTF-8 decoding and the characters that must not reach a reader unescaped. Untrusted text
// (names typed by admins, bytes from the network) is checked or sanitised with these before it
// is stored or echoed.

#include <cstddef>
#include <string_view>

namespace xiaoan {

// Decodes one code point at s[i] (i < s.size()); returns its byte length, or 0 for an invalid
// sequence (stray or missing continuation bytes, overlong forms, surrogates, > U+10FFFF).
size_t decodeUtf8(std::string_view s, size_t i, char32_t* out);

// True when all of `s` is well-formed UTF-8 (RFC 3629).
bool isWellFormedUtf8(std::string_view s);

// C0 controls (NUL included), DEL and C1 controls.
bool isControlChar(char32_t c);

// Characters that reorder the text around them: the embeddings and overrides U+202A..U+202E,
// the isolates U+2066..U+2069 and the marks U+200E, U+200F, U+061C. A name holding one can
// display as something else than it is ("Trojan Source").
bool isBidiControl(char32_t c);

}  // namespace xiaoan
