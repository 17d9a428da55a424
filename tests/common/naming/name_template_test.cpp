#include "common/naming/name_template.h"

#include <doctest/doctest.h>

#include <string>

using namespace xiaoan;
using namespace xiaoan::naming;

TEST_CASE("templates: placeholders, literals and {seat:0N}") {
  auto t = parseTemplate("沙中-{owner}{seat:03}");
  REQUIRE(t.isOk());
  REQUIRE(t->parts.size() == 3);
  CHECK(t->parts[0] == TemplatePart{std::nullopt, "沙中-", 0});
  CHECK(t->parts[1] == TemplatePart{Placeholder::kOwner, "", 0});
  CHECK(t->parts[2] == TemplatePart{Placeholder::kSeat, "", 3});
  CHECK(t->uses(Placeholder::kSeat));
  CHECK_FALSE(t->uses(Placeholder::kRoom));
  for (const char* good : {"{school_abbr}{owner}", "{room}-{seat}", "LAB-{seat:02}", "x",
                           "{owner_pinyin}", "{owner_initials}{seat:09}"}) {
    CAPTURE(good);
    CHECK(parseTemplate(good).isOk());
  }
}

TEST_CASE("templates: every error is E_INVALID_ARGUMENT with a reason") {
  for (const std::string& bad :
       {std::string(""), std::string(65, 'a'), std::string("a b"), std::string("{owner"),
        std::string("{seat:00}"), std::string("{seat:2}"), std::string("{seat:010}"),
        std::string("a_b"), std::string("x}"), std::string("\xe6\xb2"),
        std::string("\xe2\x80\xae"
                    "abc"),
        std::string("{}")}) {
    CAPTURE(bad);
    auto t = parseTemplate(bad);
    REQUIRE_FALSE(t.isOk());
    CHECK(t.status().code() == ErrorCode::kInvalidArgument);
    CHECK_FALSE(t.status().message().empty());
  }
  auto t = parseTemplate("{school}-{host}");
  REQUIRE_FALSE(t.isOk());
  CHECK(t.status().message().find("{school}, {host}") != std::string::npos);
  CHECK(t.status().message().find("{owner_pinyin}") != std::string::npos);
}

TEST_CASE("templates: exactly 64 bytes is accepted") {
  CHECK(parseTemplate(std::string(64, 'a')).isOk());
  // 21 Chinese characters = 63 bytes, plus one ASCII = 64.
  std::string zh;
  for (int i = 0; i < 21; ++i) zh += "机";
  CHECK(parseTemplate(zh + "a").isOk());
  CHECK_FALSE(parseTemplate(zh + "ab").isOk());
}
