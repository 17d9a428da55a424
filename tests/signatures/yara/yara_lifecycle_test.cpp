// Ownership and leaks: run under ASan with detect_leaks=1 (the asan build) these prove that
// scans and rule reloads free everything libyara allocated.

#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "signatures/yara/yara_rules.h"

namespace xiaoan::sig {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

YaraRules compile(const std::string& text) {
  auto rules = compileRules({{"r.yar", text}}, nullptr);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  return std::move(rules).value();
}

const char* kRules = R"(
import "pe"
rule needle : t { strings: $a = "needle" condition: $a }
rule named { condition: filename == "x.bin" }
rule pe_only { condition: uint16(0) == 0x5A4D and pe.number_of_sections > 0 }
)";

TEST_CASE("moving rules transfers ownership; move-assign frees the rules held before") {
  YaraRules a = compile(kRules);
  YaraRules b = compile("rule only { condition: true }");
  CHECK(b.ruleCount() == 1);
  b = std::move(a);  // the one-rule set is freed here (ASan: no leak)
  CHECK(b.ruleCount() == 3);
  CHECK(a.ruleCount() == 0);  // NOLINT(bugprone-use-after-move): moved-from is empty
  YaraRules c(std::move(b));
  CHECK(c.ruleCount() == 3);
  auto scanner = YaraScanner::create(c);
  REQUIRE(scanner.isOk());
  YaraScanner moved = std::move(scanner).value();
  YaraScanner other = std::move(YaraScanner::create(c).value());
  other = std::move(moved);  // frees the scanner `other` held
  auto m = other.scan(bytes("needle"), {});
  REQUIRE(m.isOk());
  CHECK(m->size() == 1);
}

TEST_CASE("10 000 scans on one scanner with changing externals") {
  YaraRules rules = compile(kRules);
  auto scanner = YaraScanner::create(rules);
  REQUIRE(scanner.isOk());
  std::string hit = "xx needle xx";
  std::string miss = "MZ but not a PE file, and no match";
  size_t hits = 0;
  for (int i = 0; i < 10000; ++i) {
    FileExternals ext;
    ext.filename = (i % 3 == 0) ? "x.bin" : "f" + std::to_string(i % 7);
    ext.filepath = "/data/" + ext.filename;
    auto m = scanner->scan(bytes(i % 2 == 0 ? hit : miss), ext);
    REQUIRE(m.isOk());
    hits += m->size();
  }
  // Even i: needle; i % 3 == 0: named.
  CHECK(hits == 5000 + 3334);
}

TEST_CASE("100 compile and reload cycles, each with scanners") {
  YaraRules current = compile(kRules);
  for (int i = 0; i < 100; ++i) {
    YaraRules next = compile(std::string(kRules) + "rule extra" + std::to_string(i) +
                             " { condition: filesize == " + std::to_string(i) + " }\n");
    auto scanner = YaraScanner::create(next);
    REQUIRE(scanner.isOk());
    auto m = scanner->scan(bytes(std::string(static_cast<size_t>(i), 'n')), {});
    REQUIRE(m.isOk());
    REQUIRE(m->size() == 1);
    current = std::move(next);  // reload: the previous rules are freed
    CHECK(current.ruleCount() == 4);
  }
}

}  // namespace
}  // namespace xiaoan::sig
