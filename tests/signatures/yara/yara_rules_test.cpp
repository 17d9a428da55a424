#include "signatures/yara/yara_rules.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace xiaoan::sig {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

YaraRules compileOk(const std::vector<RuleSource>& sources) {
  auto rules = compileRules(sources, nullptr);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  return std::move(rules).value();
}

std::vector<std::string> ruleNames(const std::vector<Match>& matches) {
  std::vector<std::string> out;
  for (const Match& m : matches) out.push_back(m.rule);
  return out;
}

std::vector<std::string> scanNames(YaraScanner& scanner, const std::string& data,
                                   const FileExternals& ext = {}) {
  auto matches = scanner.scan(bytes(data), ext);
  REQUIRE_MESSAGE(matches.isOk(), matches.status().toString());
  return ruleNames(*matches);
}

YaraScanner newScanner(const YaraRules& rules) {
  auto scanner = YaraScanner::create(rules);
  REQUIRE(scanner.isOk());
  return std::move(scanner).value();
}

const char* kTwoRules = R"(
rule needle : tag1 tag2 { strings: $a = "needle" condition: $a }
rule other { strings: $b = "haystack-marker" condition: $b }
)";

TEST_CASE("compiled rules report matches with namespace and tags") {
  YaraRules rules = compileOk({{"a.yar", kTwoRules}});
  CHECK(rules.ruleCount() == 2);
  CHECK(rules.compiledBytes() > 0);
  YaraScanner scanner = newScanner(rules);
  auto matches = scanner.scan(bytes("a needle in a haystack"), {});
  REQUIRE(matches.isOk());
  REQUIRE(matches->size() == 1);
  CHECK((*matches)[0].rule == "needle");
  CHECK((*matches)[0].rule_namespace == "default");
  CHECK((*matches)[0].tags == std::vector<std::string>{"tag1", "tag2"});
  CHECK(scanNames(scanner, "nothing here").empty());
  CHECK(scanNames(scanner, "needle haystack-marker") ==
        std::vector<std::string>{"needle", "other"});
  CHECK(scanNames(scanner, "").empty());
}

TEST_CASE("rules saved by a compile load later with the same answers; damaged saves are refused") {
  auto saved = compileRulesSaved({{"a.yar", kTwoRules}}, nullptr);
  REQUIRE_MESSAGE(saved.isOk(), saved.status().toString());
  const std::string bytes_copy = saved->bytes;
  auto loaded = loadSavedRules(std::move(saved).value());
  REQUIRE_MESSAGE(loaded.isOk(), loaded.status().toString());
  CHECK(loaded->ruleCount() == 2);
  CHECK(loaded->compiledBytes() == bytes_copy.size());
  YaraScanner scanner = newScanner(*loaded);
  CHECK(scanNames(scanner, "needle haystack-marker") ==
        std::vector<std::string>{"needle", "other"});

  CHECK_FALSE(loadSavedRules(SavedRules{bytes_copy.substr(0, bytes_copy.size() / 2)}).isOk());
  CHECK_FALSE(loadSavedRules(SavedRules{""}).isOk());
  std::string wrong_magic = bytes_copy;
  wrong_magic[0] ^= 0x5a;
  CHECK_FALSE(loadSavedRules(SavedRules{wrong_magic}).isOk());
  CHECK_FALSE(compileRulesSaved({{"bad.yar", "rule { condition: true }"}}, nullptr).isOk());
}

TEST_CASE("a syntax error names the bundle file and line") {
  std::vector<CompileDiagnostic> diags;
  auto rules = compileRules({{"ok.yar", "rule ok { condition: true }\n"},
                             {"dir/bad.yar",
                              "rule fine { condition: true }\n\nrule bad {\n "
                              "condition: $missing }\n"}},
                            &diags);
  REQUIRE_FALSE(rules.isOk());
  CHECK(rules.status().code() == ErrorCode::kRulesInvalid);
  CHECK(rules.status().message().rfind("dir/bad.yar:4: ", 0) == 0);
  REQUIRE(diags.size() >= 1);
  CHECK(diags[0].file == "dir/bad.yar");
  CHECK(diags[0].line == 4);
  CHECK_FALSE(diags[0].warning);
  CHECK(diags[0].message.find("$missing") != std::string::npos);
  CHECK(rules.status().message().find("$missing") != std::string::npos);
}

TEST_CASE("an error inside an included file is located in that file") {
  std::vector<CompileDiagnostic> diags;
  auto rules =
      compileRules({{"rules/main.yar",
                     "rule m { condition: true }\ninclude \"../lib/common.yar\"\n"
                     "rule after { condition: true }\n"},
                    {"lib/common.yar",
                     "rule c1 { condition: true }\nrule c2 {\n condition:\n  nosuchthing\n}\n"}},
                   &diags);
  REQUIRE_FALSE(rules.isOk());
  CHECK(rules.status().message().rfind("lib/common.yar:4: ", 0) == 0);
  REQUIRE_FALSE(diags.empty());
  CHECK(diags[0].file == "lib/common.yar");
  CHECK(diags[0].line == 4);
}

TEST_CASE("warnings are collected with their file and line and do not fail the compile") {
  std::vector<CompileDiagnostic> diags;
  auto rules = compileRules({{"main.yar", "include \"sub/w.yar\"\n"},
                             {"sub/w.yar",
                              "rule w {\n strings:\n  $a = { 00 ?? }\n"
                              " condition:\n  $a\n}\n"}},
                            &diags);
  REQUIRE(rules.isOk());
  CHECK(rules->ruleCount() == 1);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].warning);
  CHECK(diags[0].file == "sub/w.yar");
  CHECK(diags[0].line == 3);
}

TEST_CASE("an error after an include is located back in the including file") {
  std::vector<CompileDiagnostic> diags;
  auto rules = compileRules({{"main.yar", "include \"inc.yar\"\nrule x {\n condition: nope\n}\n"},
                             {"inc.yar", "rule i1 { condition: true }\n\n\n\n\n\n"}},
                            &diags);
  REQUIRE_FALSE(rules.isOk());
  CHECK(rules.status().message().rfind("main.yar:3: ", 0) == 0);
}

TEST_CASE("includes resolve among the sources only and compile the included file once") {
  YaraRules rules =
      compileOk({{"a/main.yar",
                  "include \"common.yar\"\ninclude \"../b/other.yar\"\n"
                  "rule main_rule { condition: common_rule and other_rule }\n"},
                 {"a/common.yar", "rule common_rule { strings: $s = \"abc\" condition: $s }\n"},
                 {"b/other.yar", "rule other_rule { condition: filesize > 2 }\n"},
                 {"top.yar", "rule top_rule { condition: true }\n"}});
  CHECK(rules.ruleCount() == 4);
  YaraScanner scanner = newScanner(rules);
  CHECK(scanNames(scanner, "xabcx") ==
        std::vector<std::string>{"common_rule", "other_rule", "main_rule", "top_rule"});
}

TEST_CASE("an include outside the bundle is refused with the including file and line") {
  const char* outside[] = {"/etc/passwd", "../../escape.yar", "missing.yar", "a\\b.yar"};
  for (const char* name : outside) {
    CAPTURE(name);
    std::vector<CompileDiagnostic> diags;
    auto rules = compileRules(
        {{"x/main.yar", "rule a { condition: true }\n\ninclude \"" + std::string(name) + "\"\n"},
         {"escape.yar", "rule e { condition: true }\n"}},
        &diags);
    REQUIRE_FALSE(rules.isOk());
    CHECK(rules.status().code() == ErrorCode::kRulesInvalid);
    CHECK(rules.status().message().rfind("x/main.yar:3: ", 0) == 0);
  }
}

TEST_CASE("a circular include is refused") {
  auto rules = compileRules({{"a.yar", "include \"b.yar\"\n"},
                             {"b.yar", "include \"c.yar\"\n"},
                             {"c.yar", "include \"b.yar\"\nrule c { condition: true }\n"},
                             {"main.yar", "include \"a.yar\"\n"}},
                            nullptr);
  REQUIRE_FALSE(rules.isOk());
  CHECK(rules.status().code() == ErrorCode::kRulesInvalid);
}

TEST_CASE("external variables are set per file") {
  YaraRules rules = compileOk({{"ext.yar", R"(
rule by_name { condition: filename == "evil.exe" }
rule by_ext { condition: extension == "exe" and filetype == "EXE" }
rule by_path { condition: filepath contains "/downloads/" }
rule by_owner { condition: owner == "alice" }
)"}});
  YaraScanner scanner = newScanner(rules);
  FileExternals evil{"evil.exe", "/home/a/downloads/evil.exe", "exe", "EXE", "alice"};
  FileExternals plain{"notes.txt", "/home/b/notes.txt", "txt", "TXT", "bob"};
  CHECK(scanNames(scanner, "x", evil) ==
        std::vector<std::string>{"by_name", "by_ext", "by_path", "by_owner"});
  CHECK(scanNames(scanner, "x", plain).empty());
  FileExternals renamed = evil;
  renamed.filename = "good.exe";
  CHECK(scanNames(scanner, "x", renamed) ==
        std::vector<std::string>{"by_ext", "by_path", "by_owner"});
  CHECK(scanNames(scanner, "x", evil).size() == 4);
  CHECK(scanNames(scanner, "x", {}).empty());
}

TEST_CASE("rules that read the externals compile with them unset") {
  YaraRules rules = compileOk({{"e.yar", "rule e { condition: filename == \"\" }\n"}});
  YaraScanner scanner = newScanner(rules);
  CHECK(scanNames(scanner, "abc") == std::vector<std::string>{"e"});
}

TEST_CASE("a scan past the timeout is E_SCAN_TIMEOUT and the scanner stays usable") {
  YaraRules rules = compileOk({{"slow.yar", R"(
rule quadratic { condition: filesize > 60000 and for all i in (0..filesize-1) :
  (for all j in (0..filesize-1) : (uint8(i) != 0xFF or uint8(j) != 0xFE)) }
rule quick { strings: $a = "quick" condition: $a }
)"}});
  YaraScanner scanner = newScanner(rules);
  scanner.setTimeout(std::chrono::seconds(1));
  std::string data(64 * 1024, '\0');
  auto slow = scanner.scan(bytes(data), {});
  REQUIRE_FALSE(slow.isOk());
  CHECK(slow.status().code() == ErrorCode::kScanTimeout);
  CHECK(scanNames(scanner, "quick") == std::vector<std::string>{"quick"});
}

TEST_CASE("fast mode reports the same rules for rules that do not count matches") {
  YaraRules rules = compileOk({{"a.yar", kTwoRules}});
  YaraScanner scanner = newScanner(rules);
  scanner.setFastMode(true);
  CHECK(scanNames(scanner, "needle needle needle") == std::vector<std::string>{"needle"});
  scanner.setFastMode(false);
  CHECK(scanNames(scanner, "needle") == std::vector<std::string>{"needle"});
}

}  // namespace
}  // namespace xiaoan::sig
