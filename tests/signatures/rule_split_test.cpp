#include "signatures/rule_split.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "signatures/yara/yara_rules.h"

namespace xiaoan::sig::split {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Rewrite rewriteOk(const std::string& condition) {
  auto rw = rewriteForNonPe("rule r {\n  condition:\n    " + condition + "\n}");
  REQUIRE_MESSAGE(rw.isOk(), rw.status().toString());
  return std::move(rw).value();
}

std::string conditionOf(const Rewrite& rw) {
  const std::string head = "rule r {\n  condition:\n    ";
  return rw.text.substr(head.size(), rw.text.size() - head.size() - 2);
}

TEST_CASE("pe sub-expressions become uint8(filesize), pe.is_pe its value 0") {
  Rewrite rw = rewriteOk("pe.imphash() == \"ab\" or $a");
  CHECK(conditionOf(rw) == "uint8(filesize) or $a");
  CHECK(rw.changed);
  CHECK_FALSE(rw.uses_pe);
  rw = rewriteOk(
      "for any i in (0..pe.number_of_signatures - 1) : "
      "(pe.signatures[i].subject contains \"x\")");
  CHECK(conditionOf(rw) == "for any i in (0..uint8(filesize)) : (uint8(filesize))");
  rw = rewriteOk("not pe.is_pe and pe.characteristics & pe.DLL");
  CHECK(conditionOf(rw) == "not 0 and uint8(filesize)");
  rw = rewriteOk("$a at pe.entry_point or pe.exports(\"a\", 1)");
  CHECK(conditionOf(rw) == "$a at uint8(filesize) or uint8(filesize)");
  CHECK_FALSE(rw.uses_pe);
  // Only the undefined argument is replaced: the call sees the same (undefined) value.
  rw = rewriteOk("math.entropy(0, pe.number_of_sections) > 1");
  CHECK(conditionOf(rw) == "math.entropy(0, uint8(filesize)) > 1");
}

TEST_CASE("pe uses that cannot be replaced exactly are left, and reported") {
  for (const char* cond :
       {"math.entropy(0, filesize) + pe.number_of_sections > 1",  // a non-pe call in the value
        "pe.DLL",                       // a constant: defined for every file
        "pe.imphash()",                 // a bare string
        "#a == pe.number_of_sections",  // a string count in the expression
        "pe.machine == pe.MACHINE_I386 and pe.DLL"}) {
    CAPTURE(std::string(cond));
    Rewrite rw = rewriteOk(cond);
    CHECK(rw.uses_pe);
  }
  CHECK(conditionOf(rewriteOk("uint16(0) == 0x5a4d and $a")) == "uint16(0) == 0x5a4d and $a");
  CHECK_FALSE(rewriteOk("uint16(0) == 0x5a4d and $a").changed);
}

// What makes the rewrite exact, checked against libyara itself: on data the pe module does not
// parse as PE, each original expression and its rewrite give the same result, also under `not`.
TEST_CASE("rewritten conditions evaluate as the originals on every non-MZ file") {
  const std::vector<std::string> exprs = {
      "pe.imphash() == \"ab\"",
      "pe.imphash() != \"ab\"",
      "pe.number_of_sections == 0",
      "pe.number_of_sections < 1",
      "pe.number_of_signatures >= 0",
      "pe.is_pe == 0",
      "pe.exports(\"x\")",
      "pe.imports(\"kernel32.dll\")",
      "pe.imports(\"k.dll\", \"f\")",
      "pe.is_dll()",
      "pe.is_32bit()",
      "pe.is_64bit()",
      "pe.section_index(\".text\") == 0",
      "pe.characteristics & pe.DLL",
      "pe.machine == pe.MACHINE_AMD64",
      "pe.timestamp + 1 > 0",
      "pe.entry_point % 2 == 0",
      "pe.subsystem | 1",
      "pe.dll_characteristics ^ 1",
      "pe.image_base << 1 == 0",
      "pe.number_of_resources >> 1",
      "~pe.number_of_imports == 0",
      "-pe.number_of_exports == 0",
      "pe.timestamp \\ 2 == 0",
      "pe.version_info[\"CompanyName\"] contains \"M\"",
      "pe.version_info[\"CompanyName\"] icontains \"m\"",
      "pe.pdb_path startswith \"C\"",
      "pe.pdb_path iendswith \"b\"",
      "pe.dll_name iequals \"a.dll\"",
      "pe.sections[0].name matches /text/",
      "pe.rich_signature.clear_data == \"\"",
      "pe.signatures[0].issuer == \"x\"",
      "pe.export_timestamp == 0",
      "pe.linker_version.major == 0",
      "math.entropy(0, pe.number_of_sections) >= 0",
      "pe.opthdr_magic == 0",
      "pe.size_of_image == 0",
      "for any i in (0..pe.number_of_sections - 1) : (pe.sections[i].name == \".text\")",
      "for all i in (0..pe.number_of_signatures) : (true)",
      "defined pe.number_of_sections"};
  std::string original = "import \"pe\"\nimport \"math\"\n";
  std::string rewritten = "import \"math\"\n";
  for (size_t i = 0; i < exprs.size(); ++i) {
    for (const std::string& cond : {exprs[i], "not (" + exprs[i] + ")"}) {
      const std::string rule = "rule r" + std::to_string(i) + (cond == exprs[i] ? "" : "_not") +
                               " {\n  condition:\n    " + cond + "\n}\n";
      original += rule;
      auto rw = rewriteForNonPe(rule.substr(0, rule.size() - 1));
      REQUIRE(rw.isOk());
      CHECK_MESSAGE(!rw->uses_pe, cond);
      rewritten += rw->text + "\n";
    }
  }
  auto a = compileRules({{"a.yar", original}}, nullptr);
  auto b = compileRules({{"b.yar", rewritten}}, nullptr);
  REQUIRE_MESSAGE(a.isOk(), a.status().toString());
  REQUIRE_MESSAGE(b.isOk(), b.status().toString());
  auto sa = YaraScanner::create(*a);
  auto sb = YaraScanner::create(*b);
  REQUIRE((sa.isOk() && sb.isOk()));
  for (const std::string& data : {std::string(), std::string("M"), std::string("ZM\x90\x00", 4),
                                  std::string("\x7f"
                                              "ELF"),
                                  std::string(4096, 'A'), std::string(70000, '\0')}) {
    auto ma = sa->scan(bytes(data), {});
    auto mb = sb->scan(bytes(data), {});
    REQUIRE((ma.isOk() && mb.isOk()));
    std::vector<std::string> na, nb;
    for (const Match& m : *ma) na.push_back(m.rule);
    for (const Match& m : *mb) nb.push_back(m.rule);
    CHECK(na == nb);
    CHECK_FALSE(na.empty());  // the `not` forms of defined-false expressions match: not vacuous
  }
}

TEST_CASE("the sets: non-MZ without MZ-only rules, MZ with them and what non-MZ changed") {
  const std::string src =
      "import \"pe\"\nimport \"hash\"\n"
      "private rule IsMz { condition: uint16(0) == 0x5a4d }\n"
      "rule MzOnly { strings: $a = \"a\" condition: uint16(0) == 0x5a4d and $a }\n"
      "rule PeOnly { condition: pe.is_pe and filesize < 10MB }\n"
      "rule Any { strings: $a = \"a\" condition: $a or pe.imphash() == \"x\" }\n"
      "rule UsesMz { strings: $b = \"b\" condition: IsMz or $b }\n"
      "rule UsesAny { condition: Any and filesize > 1 }\n"
      "rule Plain { strings: $c = \"c\" condition: $c }\n";
  auto a = analysis::analyse({{"s.yar", src}});
  REQUIRE(a.isOk());
  const SplitPlan plan = planSplit(*a, SplitOptions{.whole_for_mz = false});
  // non-MZ: IsMz (a dependency), Any (rewritten), UsesMz, UsesAny, Plain.
  CHECK(plan.non_mz.rules == 5);
  CHECK(plan.rewritten == 1);
  CHECK_FALSE(plan.non_mz.imports_pe);
  CHECK(plan.non_mz.text.find("import \"pe\"") == std::string::npos);
  CHECK(plan.non_mz.text.find("import \"hash\"") == std::string::npos);  // unused module
  CHECK(plan.non_mz.text.find("rule MzOnly") == std::string::npos);
  CHECK(plan.non_mz.text.find("private rule IsMz") != std::string::npos);
  // MZ: MzOnly, PeOnly, Any and UsesAny (their non-MZ answers depend on the rewrite); IsMz
  // and UsesMz are unchanged in the non-MZ set, which answers for them.
  CHECK(plan.mz.rules == 4);
  CHECK(plan.mz.imports_pe);
  CHECK(plan.mz.text.find("rule Plain") == std::string::npos);
  CHECK(plan.mz.text.find("rule UsesMz") == std::string::npos);
  CHECK_FALSE(plan.mz_is_whole);
  CHECK(plan.untrusted == std::vector<std::string>{"Any", "UsesAny"});
  for (const SetSource* set : {&plan.non_mz, &plan.mz}) {
    auto compiled = compileRules({{"plan.yar", set->text}}, nullptr);
    CHECK_MESSAGE(compiled.isOk(), compiled.status().toString());
  }
}

TEST_CASE("by default MZ files get the whole bundle, the non-MZ set is the same") {
  const std::string src =
      "import \"pe\"\n"
      "rule MzOnly { strings: $a = \"a\" condition: uint16(0) == 0x5a4d and $a }\n"
      "rule Any { strings: $a = \"a\" condition: $a or pe.imphash() == \"x\" }\n"
      "rule Plain { strings: $c = \"c\" condition: $c }\n";
  auto a = analysis::analyse({{"s.yar", src}});
  REQUIRE(a.isOk());
  const SplitPlan whole = planSplit(*a);
  const SplitPlan difference = planSplit(*a, SplitOptions{.whole_for_mz = false});
  CHECK(whole.mz_is_whole);
  CHECK(whole.mz.rules == 3);
  CHECK(whole.untrusted.empty());
  CHECK(whole.non_mz.text == difference.non_mz.text);
  CHECK(whole.non_mz.rules == 2);
  CHECK(whole.rewritten == 1);
  CHECK_FALSE(difference.mz_is_whole);
  CHECK(difference.mz.rules == 2);
}

TEST_CASE("a global rule the non-MZ set changes puts every rule in the MZ set") {
  auto a = analysis::analyse({{"g.yar",
                               "import \"pe\"\n"
                               "global rule G { condition: not pe.is_dll() }\n"
                               "rule R { condition: filesize > 3 }\n"}});
  REQUIRE(a.isOk());
  const SplitPlan plan = planSplit(*a, SplitOptions{.whole_for_mz = false});
  CHECK(plan.mz_is_whole);
  CHECK(plan.untrusted.empty());
  CHECK(plan.non_mz.rules == 2);
}

// Bundles are signed but still parsed by us: mangled sources must give an error or a plan,
// never a crash (run under ASan in CI).
TEST_CASE("mangled sources never crash the analyser or the planner") {
  const std::string base =
      "import \"pe\"\nprivate rule A : t { meta: d = \"x\" strings: $a = { 4D 5A [2-4] ( 01 | ?2 ) "
      "}"
      " $b = /a\\/b/is $c = \"q\\\"\" wide condition: uint16(0) == 0x5a4d and $a at 0 }\n"
      "rule B { condition: A or (pe.imphash() == \"x\" and for any i in (0..pe.number_of_sections)"
      " : (pe.sections[i].name contains \".t\")) and filesize < 10KB }\n";
  std::mt19937 rng(7);
  const std::string alphabet = "(){}[]\"/\\$#@!.:=<> \n*09azAZ_-";
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    for (unsigned k = 1 + rng() % 4; k > 0; --k) {
      const size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          text.erase(at, rng() % 8);
          break;
        case 1:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          text.resize(at);
      }
    }
    auto a = analysis::analyse({{"m.yar", text}});
    if (!a) continue;
    const SplitPlan plan = planSplit(*a);
    CHECK(plan.non_mz.rules <= a->rules.size());
  }
}

TEST_CASE("only files starting with MZ need the whole bundle") {
  CHECK(startsWithMz(bytes("MZ")));
  CHECK(startsWithMz(bytes("MZ\x90")));
  CHECK_FALSE(startsWithMz(bytes("M")));
  CHECK_FALSE(startsWithMz(bytes("ZM")));
  CHECK_FALSE(startsWithMz(bytes("")));
}

}  // namespace
}  // namespace xiaoan::sig::split
