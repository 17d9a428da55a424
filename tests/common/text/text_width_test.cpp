#include "common/text/text_width.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

TEST_CASE("display width counts CJK as two columns") {
  CHECK(displayWidth("") == 0);
  CHECK(displayWidth("status") == 6);
  CHECK(displayWidth("代理") == 4);
  CHECK(displayWidth("厦门实验小学") == 12);
  CHECK(displayWidth("离线（自 14:03 起）") == 2 * 2 + 2 + 2 + 1 + 5 + 1 + 2 + 2);
  CHECK(displayWidth("：，。、") == 8);          // fullwidth punctuation
  CHECK(displayWidth("한국") == 4);              // Hangul syllables
  CHECK(displayWidth("ｶﾀｶﾅ") == 4);              // halfwidth katakana stays narrow
  CHECK(displayWidth("\xF0\xA0\x80\x80") == 2);  // U+20000, CJK extension B
  CHECK(displayWidth("🙂") == 2);
}

TEST_CASE("combining marks and controls take no columns; bad bytes take one each") {
  CHECK(displayWidth("e\xCC\x81") == 1);  // e + combining acute
  CHECK(displayWidth("a\xE2\x80\x8B"
                     "b") == 2);  // zero-width space
  CHECK(displayWidth("a\tb") == 2);
  CHECK(displayWidth("\xFF\xFE") == 2);
  CHECK(displayWidth("\xE4\xB8") == 2);      // truncated 3-byte sequence
  CHECK(displayWidth("\xC0\xAF") == 2);      // overlong '/'
  CHECK(displayWidth("\xED\xA0\x80") == 3);  // UTF-16 surrogate encoded in UTF-8
}

TEST_CASE("padRight pads to display columns, never truncates") {
  CHECK(padRight("代理", 6) == "代理  ");
  CHECK(padRight("agent", 6) == "agent ");
  CHECK(padRight("本地缓存", 4) == "本地缓存");
  CHECK(displayWidth(padRight("连接", 10)) == displayWidth(padRight("connection", 10)));
}

TEST_CASE("truncateToWidth cuts at display columns and marks the cut") {
  CHECK(truncateToWidth("short", 10) == "short");
  CHECK(truncateToWidth("abcdefghij", 5) == "abcd\xE2\x80\xA6");
  CHECK(truncateToWidth("厦门实验小学", 6) == "厦门\xE2\x80\xA6");  // 4 + 1, never half a 汉字
  CHECK(truncateToWidth("厦门实验小学", 7) == "厦门实\xE2\x80\xA6");
  CHECK(displayWidth(truncateToWidth("厦门实验小学 xmsyxx", 9)) <= 9);
  CHECK(truncateToWidth("abc", 0).empty());
  CHECK(truncateToWidth("abcdef", 1) == "\xE2\x80\xA6");
}

TEST_CASE("sanitizeForTerminal neutralises escapes, controls, bidi overrides, bad UTF-8") {
  CHECK(sanitizeForTerminal("厦门 ok") == "厦门 ok");
  CHECK(sanitizeForTerminal("a\x1b[31mred") == "a\xEF\xBF\xBD[31mred");
  CHECK(sanitizeForTerminal("line\nnext\r") == "line\xEF\xBF\xBDnext\xEF\xBF\xBD");
  CHECK(sanitizeForTerminal("\xC2\x9B"
                            "2J") ==
        "\xEF\xBF\xBD"
        "2J");  // C1 CSI
  CHECK(sanitizeForTerminal("\xE2\x80\xAE"
                            "abc") ==
        "\xEF\xBF\xBD"
        "abc");  // RLO
  CHECK(sanitizeForTerminal("\xFF"
                            "x") ==
        "\xEF\xBF\xBD"
        "x");
  CHECK(sanitizeForTerminal(std::string("a\0b", 3)) ==
        "a\xEF\xBF\xBD"
        "b");
}

}  // namespace
}  // namespace xiaoan
