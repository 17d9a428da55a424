#include "signatures/rule_analysis.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace xiaoan::sig::analysis {
namespace {

Analysis analyseOk(const std::vector<RuleSource>& sources) {
  auto a = analyse(sources);
  REQUIRE_MESSAGE(a.isOk(), a.status().toString());
  return std::move(a).value();
}

// The one rule of a source "import pe/math + rule r { strings + condition }".
RuleInfo ruleOf(const std::string& strings, const std::string& condition) {
  const std::string text = "import \"pe\"\nimport \"math\"\nrule r {\n" +
                           (strings.empty() ? std::string() : "strings:\n" + strings + "\n") +
                           "condition:\n" + condition + "\n}\n";
  Analysis a = analyseOk({{"t.yar", text}});
  REQUIRE(a.rules.size() == 1);
  return a.rules[0];
}

std::vector<Prefix> gate(const std::string& condition, const std::string& strings = "") {
  return ruleOf(strings, condition).prefixes;
}

const Prefix kMz = "MZ";
const Prefix kElf =
    "\x7f"
    "ELF";

TEST_CASE("rules are cut out verbatim, whatever braces their strings, regexes and comments hold") {
  const std::string text =
      "/* rule fake { condition: true } */\n"
      "// rule fake2 {\n"
      "private rule a : tag1 tag2 {\n"
      "  meta:\n    d = \"a } { \\\" brace\"\n"
      "  strings:\n"
      "    $h = { 4D 5A ?? [2-4] ( 01 | 02 ) // } comment\n /* } */ 90 }\n"
      "    $r = /a\\/}{b[}]/is\n"
      "    $t = \"}\" wide\n"
      "  condition:\n    any of them\n}\n"
      "global rule b { condition: a and filesize < 10 }\n"
      "rule c { strings: $x = \"x\" condition: $x matches /}/ or b }\n";
  Analysis a = analyseOk({{"x.yar", text}});
  REQUIRE(a.rules.size() == 3);
  CHECK(a.rules[0].name == "a");
  CHECK(a.rules[0].is_private);
  CHECK_FALSE(a.rules[0].is_global);
  CHECK(a.rules[0].line == 3);
  CHECK(a.rules[0].text.starts_with("private rule a : tag1 tag2 {"));
  CHECK(a.rules[0].text.ends_with("any of them\n}"));
  CHECK(a.rules[1].is_global);
  CHECK(a.rules[1].text == "global rule b { condition: a and filesize < 10 }");
  CHECK(a.rules[1].deps == std::vector<uint32_t>{0});
  CHECK(a.rules[2].deps == std::vector<uint32_t>{1});
}

TEST_CASE("header gates are read from top-level conjuncts") {
  CHECK(gate("uint16(0) == 0x5a4d and $a", "$a = \"x\"") == std::vector<Prefix>{kMz});
  CHECK(gate("0x5A4D == uint16(0) and filesize < 1MB") == std::vector<Prefix>{kMz});
  CHECK(gate("uint16be(0) == 0x4d5a") == std::vector<Prefix>{kMz});
  CHECK(gate("uint32(0) == 0x464c457f and true") == std::vector<Prefix>{kElf});
  CHECK(gate("$mz at 0 and $b", "$mz = \"MZ\"\n$b = \"b\"") == std::vector<Prefix>{kMz});
  CHECK(gate("$mz at 0", "$mz = { 4D 5A 90 ?? 03 }") == std::vector<Prefix>{"MZ\x90"});
  CHECK(gate("((uint16(0) == 0x5a4d)) and ($a)", "$a = \"x\"") == std::vector<Prefix>{kMz});
  CHECK(gate("pe.is_pe and $a", "$a = \"x\"") == std::vector<Prefix>{kMz});
  CHECK(gate("pe.imphash() == \"0a1b\"") == std::vector<Prefix>{kMz});
  CHECK(gate("filesize < 1MB and pe.number_of_signatures > 0") == std::vector<Prefix>{kMz});
  CHECK(gate("pe.exports(\"Run\")") == std::vector<Prefix>{kMz});
  CHECK(gate("(uint16(0) == 0x5a4d or uint32(0) == 0x464c457f) and $a", "$a = \"x\"") ==
        std::vector<Prefix>{kMz, kElf});
}

TEST_CASE("anything not understood leaves the rule for every file") {
  CHECK(gate("uint16(0) == 0x5a4d or $a", "$a = \"x\"").empty());  // top-level or
  CHECK(gate("$a and uint16(0) == 0x5a4d or $b", "$a = \"a\"\n$b = \"b\"").empty());
  CHECK(gate("not uint16(0) == 0x5a4d").empty());
  CHECK(gate("uint16(0) != 0x5a4d").empty());
  CHECK(gate("uint16(1) == 0x5a4d").empty());  // not at 0
  CHECK(gate("uint16(0) == 0x5a4d + 0").empty());
  CHECK(gate("$mz at 0", "$mz = \"MZ\" nocase").empty());
  CHECK(gate("$mz at 0", "$mz = \"MZ\" wide").empty());
  CHECK(gate("$mz at 0", "$mz = /MZ/").empty());
  CHECK(gate("$mz at 1", "$mz = \"MZ\"").empty());
  CHECK(gate("pe.number_of_signatures == 0").empty());  // 0 == undefined is not known false
  CHECK(gate("not pe.is_dll()").empty());
  CHECK(gate("pe.is_pe == 0").empty());
  CHECK(gate("pe.MACHINE_I386").empty());  // a constant, defined for every file
  CHECK(gate("pe.number_of_sections < 3").empty());
  CHECK(gate("for any i in (0..1) : (uint16(i) == 0x5a4d)").empty());
  CHECK(gate("math.entropy(0, filesize) > 7").empty());
}

TEST_CASE("filesize bounds come from top-level conjuncts, mirrored comparisons included") {
  RuleInfo r = ruleOf("", "filesize < 100KB and filesize >= 2");
  CHECK(r.max_size == 100 * 1024 - 1);
  CHECK(r.min_size == 2);
  r = ruleOf("", "1MB < filesize and uint16(0) == 0x5a4d");
  CHECK(r.min_size == 1024 * 1024 + 1);
  CHECK(r.max_size == UINT64_MAX);
  r = ruleOf("", "filesize < 10 or filesize > 100");
  CHECK(r.min_size == 0);
  CHECK(r.max_size == UINT64_MAX);
  r = ruleOf("", "(filesize < 10 and true) or (filesize < 20 and false)");
  CHECK(r.max_size == 19);
}

TEST_CASE("string usage, modules and externals are recorded") {
  RuleInfo r = ruleOf("$a = \"a\"", "#a > 2 and math.entropy(0, filesize) > 1");
  CHECK(r.locates_strings);
  CHECK(r.modules == std::vector<std::string>{"math"});
  r = ruleOf("$a = \"a\"", "$a and filename == \"x.exe\"");
  CHECK_FALSE(r.locates_strings);
  CHECK(r.uses_externals);
  CHECK(ruleOf("$a = \"a\"", "$a in (0..10)").locates_strings);
  CHECK(ruleOf("$a = \"a\"", "for all of them : (@ > 0)").locates_strings);
}

TEST_CASE("a bare reference to a gated rule inherits its gate; dependencies are indexed") {
  Analysis a = analyseOk({{"d.yar",
                           "private rule Mz { condition: uint16(0) == 0x5a4d }\n"
                           "rule Small { condition: filesize < 100 }\n"
                           "rule Both { condition: Mz and Small and true }\n"
                           "rule Either { condition: Mz or Small }\n"}});
  REQUIRE(a.rules.size() == 4);
  CHECK(a.rules[2].prefixes == std::vector<Prefix>{kMz});
  CHECK(a.rules[2].max_size == 99);
  CHECK(a.rules[2].deps == std::vector<uint32_t>{0, 1});
  CHECK(a.rules[3].prefixes.empty());
  CHECK(a.rules[3].deps == std::vector<uint32_t>{0, 1});
}

TEST_CASE("includes are followed where they stand; included files are not top level") {
  Analysis a = analyseOk({{"index.yar",
                           "rule first { condition: true }\ninclude \"sub/b.yar\"\n"
                           "rule last { condition: second }"},
                          {"sub/b.yar", "include \"../c.yar\"\nrule second { condition: third }"},
                          {"c.yar", "rule third { condition: true }"}});
  REQUIRE(a.rules.size() == 4);
  CHECK(a.rules[0].name == "first");
  CHECK(a.rules[1].name == "third");
  CHECK(a.rules[1].file == "c.yar");
  CHECK(a.rules[2].name == "second");
  CHECK(a.rules[3].name == "last");
  CHECK(a.rules[3].deps == std::vector<uint32_t>{2});
}

TEST_CASE("sources the analyser cannot read are errors (the caller then uses one set)") {
  CHECK(analyse({{"a.yar", "rule a { strings: $a = \"open condition: $a }"}}).status().code() ==
        ErrorCode::kRulesInvalid);
  CHECK(analyse({{"a.yar", "rule a { condition: true"}}).status().code() ==
        ErrorCode::kRulesInvalid);
  CHECK(analyse({{"a.yar", "include \"missing.yar\""}}).status().code() ==
        ErrorCode::kRulesInvalid);
  CHECK(analyse({{"a.yar", "rule a { condition: true } ` "}}).status().code() ==
        ErrorCode::kRulesInvalid);
}

TEST_CASE("prefixAllows") {
  CHECK(prefixAllows({}, ""));
  CHECK(prefixAllows({kMz}, "MZ\x90"));
  CHECK_FALSE(prefixAllows({kMz}, "M"));
  CHECK(prefixAllows({kElf, kMz}, "MZ"));
  CHECK_FALSE(prefixAllows({kElf, kMz}, "ZM"));
}

}  // namespace
}  // namespace xiaoan::sig::analysis
