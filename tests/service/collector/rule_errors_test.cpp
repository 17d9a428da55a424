// Finding every broken file of a signature bundle with real libyara, which stops at the first.
#include "service/collector/admin_api/rule_errors.h"

#include <doctest/doctest.h>

namespace xiaoan::collector {
namespace {

std::vector<std::string> locations(const std::vector<v1::RuleDiagnostic>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.file() + ":" + std::to_string(e.line()));
  return out;
}

std::vector<v1::RuleDiagnostic> errorsOf(const std::vector<sig::RuleSource>& sources,
                                         const RuleErrorLimits& limits = {}) {
  std::vector<sig::CompileDiagnostic> first;
  auto rules = sig::compileRules(sources, &first);
  REQUIRE_FALSE(rules.isOk());
  return everyRuleError(sources, first, rules.status(), limits);
}

const char* bad(const char* name) {
  static std::string text;
  text = std::string("rule ") + name + " {\n  condition:\n    undefined_" + name + "\n}\n";
  return text.c_str();
}

TEST_CASE("three broken files among good ones: each is named once, in bundle order") {
  auto errors = errorsOf({{"1.yar", "rule one { condition: true }\n"},
                          {"2.yar", bad("two")},
                          {"3.yar", "rule three { condition: one }\n"},
                          {"4.yar", bad("four")},
                          {"5.yar", bad("five")}});
  CHECK(locations(errors) == std::vector<std::string>{"2.yar:3", "4.yar:3", "5.yar:3"});
  CHECK(errors[1].message().find("undefined_four") != std::string::npos);
}

TEST_CASE("a broken included file is named; the file that includes it is not blamed") {
  auto errors = errorsOf({{"main.yar", "include \"lib/common.yar\"\nrule m { condition: true }\n"},
                          {"lib/common.yar", bad("common")},
                          {"z.yar", bad("zed")}});
  CHECK(locations(errors) == std::vector<std::string>{"lib/common.yar:3", "z.yar:3"});
}

TEST_CASE("the number of extra compiles is bounded and the cut is said") {
  RuleErrorLimits limits;
  limits.max_passes = 1;
  auto errors = errorsOf({{"a.yar", bad("a")}, {"b.yar", bad("b")}, {"c.yar", bad("c")}}, limits);
  REQUIRE(errors.size() == 3);
  CHECK(locations(errors)[0] == "a.yar:3");
  CHECK(locations(errors)[1] == "b.yar:3");
  CHECK(errors[2].file().empty());
  CHECK(errors[2].message().find("more files") != std::string::npos);
}

}  // namespace
}  // namespace xiaoan::collector
