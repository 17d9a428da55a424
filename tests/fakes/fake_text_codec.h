#pragma once

#include <string>

#include "common/text/utf8.h"
#include "platform/text_codec.h"

namespace xiaoan::testing {

// A GBK model for unit tests of pure logic: ASCII is 1 byte, CJK Unified Ideographs
// (U+4E00..U+9FFF) and the middle dot are 2 bytes, anything else cannot be encoded. The bytes
// it produces are placeholders of the right length, not real GBK; toUtf8 is not modelled.
class FakeTextCodec final : public TextCodec {
 public:
  Result<std::string> toUtf8(std::string_view, Charset) const override {
    return Status(ErrorCode::kUnsupported, "FakeTextCodec does not decode");
  }
  Result<std::string> fromUtf8(std::string_view utf8, Charset) const override {
    std::string out;
    for (size_t i = 0; i < utf8.size();) {
      char32_t cp = 0;
      size_t len = decodeUtf8(utf8, i, &cp);
      if (len == 0) return Status(ErrorCode::kInvalidArgument, "ill-formed UTF-8");
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if ((cp >= 0x4E00 && cp <= 0x9FFF) || cp == 0xB7) {
        out += "\x81\x40";
      } else {
        return Status(ErrorCode::kInvalidArgument, "not encodable");
      }
      i += len;
    }
    return out;
  }
};

}  // namespace xiaoan::testing
