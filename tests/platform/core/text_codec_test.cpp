// Sanity of the real TextCodec (iconv on Linux) against known GBK / GB18030 bytes.
#include "platform/text_codec.h"

#include <doctest/doctest.h>

#include <string>

using namespace xiaoan;

TEST_CASE("text codec: GBK and GB18030 round trips with known bytes") {
  auto codec = makeTextCodec();
  auto gbk = codec->fromUtf8("沙中李维A", Charset::kGbk);
  REQUIRE(gbk.isOk());
  CHECK(*gbk ==
        "\xc9\xb3\xd6\xd0\xc0\xee\xce\xac"
        "A");
  auto back = codec->toUtf8(*gbk, Charset::kGbk);
  REQUIRE(back.isOk());
  CHECK(*back == "沙中李维A");
  // U+20000 (CJK extension B) exists only in GB18030, as a 4-byte sequence.
  CHECK(codec->fromUtf8("\xf0\xa0\x80\x80", Charset::kGbk).status().code() ==
        ErrorCode::kInvalidArgument);
  auto four = codec->fromUtf8("\xf0\xa0\x80\x80", Charset::kGb18030);
  REQUIRE(four.isOk());
  CHECK(four->size() == 4);
}

TEST_CASE("text codec: invalid input is refused with its offset, never substituted") {
  auto codec = makeTextCodec();
  auto bad = codec->toUtf8("ab\xc9", Charset::kGbk);  // truncated double-byte character
  REQUIRE_FALSE(bad.isOk());
  CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
  CHECK(bad.status().message().find("byte 2") != std::string::npos);
  CHECK(codec->fromUtf8("\xff", Charset::kGbk).status().code() == ErrorCode::kInvalidArgument);
  CHECK(codec->fromUtf8("김", Charset::kGbk).status().code() == ErrorCode::kInvalidArgument);
  CHECK(codec->toUtf8(std::string(kMaxTextCodecBytes + 1, 'a'), Charset::kGbk).status().code() ==
        ErrorCode::kTooLarge);
  CHECK(codec->toUtf8("", Charset::kGb18030).value().empty());
}
