// Paths as events carry them: valid UTF-8 as is, other bytes as \xNN plus the raw bytes.
#include "agent/scan/path_text.h"

#include <doctest/doctest.h>
#include <unistd.h>

namespace xiaoan::agent::scan {
namespace {

TEST_CASE("UTF-8 validity: overlongs, surrogates, truncation and range") {
  CHECK(isValidUtf8("/home/学生/下载/作业.docx"));
  CHECK(isValidUtf8(""));
  CHECK_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(isValidUtf8("\xE4\xB8"));          // truncated
  CHECK_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK(isValidUtf8("\xF0\x9F\x98\x80"));        // emoji
}

TEST_CASE("display form and raw bytes") {
  std::string display, raw;
  setPathFields("/tmp/ok.txt", &display, &raw);
  CHECK(display == "/tmp/ok.txt");
  CHECK(raw.empty());
  const std::string gbk = "/tmp/\xC4\xE3\xBA\xC3.exe";  // "你好" in GBK
  setPathFields(gbk, &display, &raw);
  CHECK(display == "/tmp/\\xC4\\xE3\\xBA\\xC3.exe");
  CHECK(raw == gbk);
  CHECK(isValidUtf8(display));
}

TEST_CASE("owner names, or the number") {
  CHECK(ownerName(0) == "root");
  CHECK(ownerName(4'000'000'000u) == "4000000000");
}

}  // namespace
}  // namespace xiaoan::agent::scan
