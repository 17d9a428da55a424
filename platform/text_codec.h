#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan {

// Legacy Chinese character sets the product meets: files Excel writes on a Chinese Windows
// (CSV in the ANSI code page 936 = GBK, or GB18030) and the NetBIOS computer name Windows
// stores in the OEM/ANSI code page (15 bytes in GBK).
enum class Charset { kGbk, kGb18030 };

// Conversion between UTF-8 and a legacy Chinese charset. Strict: nothing is substituted or
// dropped. Every input is bounded by kMaxTextCodecBytes. Implementations: iconv on Linux
// (platform/linux/text_codec_linux.cpp), WideCharToMultiByte/MultiByteToWideChar on Windows.
// Thread-safe (each call converts on its own state).
class TextCodec {
 public:
  virtual ~TextCodec() = default;

  // `bytes` in `from` -> UTF-8. E_INVALID_ARGUMENT naming the byte offset of the first sequence
  // that is not valid in `from`; E_TOO_LARGE over kMaxTextCodecBytes.
  virtual Result<std::string> toUtf8(std::string_view bytes, Charset from) const = 0;
  // UTF-8 -> `to`. E_INVALID_ARGUMENT when `utf8` is not well-formed or holds a character `to`
  // cannot encode (the message names it); E_TOO_LARGE over kMaxTextCodecBytes.
  virtual Result<std::string> fromUtf8(std::string_view utf8, Charset to) const = 0;
};

// Inputs larger than this are refused (a CSV import is capped well below).
inline constexpr size_t kMaxTextCodecBytes = size_t{64} << 20;

// The implementation for the OS this binary was built for.
std::unique_ptr<TextCodec> makeTextCodec();

// "GBK" / "GB18030" (for messages).
std::string_view charsetName(Charset charset);

}  // namespace xiaoan
