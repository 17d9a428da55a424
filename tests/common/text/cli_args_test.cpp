#include "common/cli/cli_args.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"json", false, "", "", ""},
    {"help", false, "", "", ""},
    {"count", true, "N", "", ""},
    {"socket", true, "PATH", "", ""},
};

TEST_CASE("options anywhere, both value forms, -h and --") {
  auto r = parseArgs({"--socket", "/tmp/s", "diagnose", "send-test-events", "--count=5", "--json",
                      "-h", "--", "--literal"},
                     kSpecs, Lang::kEn);
  REQUIRE(r.isOk());
  CHECK(r->positionals == std::vector<std::string>{"diagnose", "send-test-events", "--literal"});
  CHECK(*r->value("socket") == "/tmp/s");
  CHECK(*r->value("count") == "5");
  CHECK(r->flag("json"));
  CHECK(r->flag("help"));
  CHECK_FALSE(r->flag("count"));
  CHECK(r->value("json") == nullptr);
  CHECK(r->given.size() == 4);
}

TEST_CASE("bad option use is a usage error in the chosen language") {
  auto unknown = parseArgs({"--nope"}, kSpecs, Lang::kEn);
  CHECK(unknown.status().code() == ErrorCode::kInvalidArgument);
  CHECK(unknown.status().message() == "unknown option --nope");
  CHECK(parseArgs({"--nope"}, kSpecs, Lang::kZhCn).status().message() == "未知选项 --nope");
  CHECK(parseArgs({"--count"}, kSpecs, Lang::kEn).status().message() ==
        "option --count needs a value N");
  CHECK(parseArgs({"--json=1"}, kSpecs, Lang::kEn).status().code() == ErrorCode::kInvalidArgument);
  CHECK(parseArgs({"--json", "--json"}, kSpecs, Lang::kEn).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(parseArgs({"-x"}, kSpecs, Lang::kEn).status().code() == ErrorCode::kInvalidArgument);
  // An empty value is still a value; callers validate it.
  auto empty = parseArgs({"--count="}, kSpecs, Lang::kEn);
  REQUIRE(empty.isOk());
  CHECK(empty->value("count")->empty());
  // "-" alone is a positional (stdin by convention).
  CHECK(parseArgs({"-"}, kSpecs, Lang::kEn)->positionals == std::vector<std::string>{"-"});
}

TEST_CASE("the longest command prefix wins") {
  const std::vector<std::vector<std::string>> names = {
      {"token", "create"}, {"token", "list"}, {"token"}, {"status"}};
  size_t words = 0;
  CHECK(matchCommand(names, {"token", "list", "x"}, &words) == 1u);
  CHECK(words == 2);
  CHECK(matchCommand(names, {"token", "frob"}, &words) == 2u);
  CHECK(words == 1);
  CHECK_FALSE(matchCommand(names, {"stat"}, &words).has_value());
  CHECK(words == 0);
  CHECK_FALSE(matchCommand(names, {}, &words).has_value());
}

TEST_CASE("parseUint is strict") {
  CHECK(parseUint("42", 1, 100) == 42u);
  CHECK(parseUint("0", 0, 0) == 0u);
  CHECK_FALSE(parseUint("0", 1, 100).has_value());
  CHECK_FALSE(parseUint("101", 1, 100).has_value());
  CHECK_FALSE(parseUint("", 0, 100).has_value());
  CHECK_FALSE(parseUint("+5", 0, 100).has_value());
  CHECK_FALSE(parseUint("-5", 0, 100).has_value());
  CHECK_FALSE(parseUint(" 5", 0, 100).has_value());
  CHECK_FALSE(parseUint("5x", 0, 100).has_value());
  CHECK_FALSE(parseUint("99999999999999999999999", 0, UINT64_MAX).has_value());
  CHECK(parseUint("18446744073709551615", 0, UINT64_MAX) == UINT64_MAX);
}

}  // namespace
}  // namespace xiaoan
