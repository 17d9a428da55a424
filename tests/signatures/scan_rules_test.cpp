#include "signatures/scan_rules.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace xiaoan::sig {
namespace {

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Rules of every kind the split treats differently: MZ-gated, PE-gated, pe in an `or`,
// counted and located strings, a private dependency, a global rule, math, an external.
const char* kRules = R"(
import "pe"
import "math"
global rule NotTiny { condition: filesize > 16 }
private rule IsMz { condition: uint16(0) == 0x5a4d }
rule MzAlpha { strings: $a = "alpha" condition: uint16(0) == 0x5a4d and $a }
rule PeDll { condition: pe.is_pe and pe.characteristics & pe.DLL }
rule PeOrBeta { strings: $b = "beta" condition: pe.number_of_sections == 0 or $b }
rule GammaNotDll { strings: $g = "gamma" condition: $g and not pe.is_dll() }
rule CountGamma { strings: $g = "gamma" condition: #g >= 2 and filesize < 10KB }
rule ElfAtZero { strings: $e = { 7F 45 4C 46 } condition: $e at 0 }
rule UsesIsMz { strings: $d = "delta" condition: IsMz or ($d and filesize > 100) }
rule Random { condition: math.entropy(0, filesize) > 7.5 and filesize > 4096 }
rule ImpOrAlpha { strings: $a = "alpha" condition: pe.imports("kernel32.dll") or #a == 2 }
rule LoopOrAt { strings: $a = "alpha" condition:
  for any i in (0..pe.number_of_sections) : (true) or @a[1] == 100 }
rule ExeNotMz { condition: extension == "exe" and uint16(0) != 0x5a4d }
)";

// A minimal PE32 header the pe module parses (is_pe), optionally a DLL.
std::string peFile(bool dll, size_t size) {
  std::string f(std::max<size_t>(size, 1024), '\0');
  f[0] = 'M';
  f[1] = 'Z';
  f[0x3c] = static_cast<char>(0x80);
  f.replace(0x80, 4, std::string("PE\0\0", 4));
  f[0x84] = 0x4c;  // Machine i386
  f[0x85] = 0x01;
  f[0x94] = static_cast<char>(0xe0);  // SizeOfOptionalHeader
  f[0x96] = 0x02;                     // Characteristics: executable, 32-bit, DLL
  f[0x97] = static_cast<char>(dll ? 0x21 : 0x01);
  f[0x98] = 0x0b;  // optional header magic PE32
  f[0x99] = 0x01;
  return f;
}

// Deterministic files: PE, PE without MZ, MZ junk, ELF, text and random bytes with planted
// words.
std::vector<std::string> generatedFiles(size_t count) {
  std::mt19937 rng(20260101);
  const std::vector<std::string> words = {"alpha",
                                          "beta",
                                          "gamma",
                                          "delta",
                                          "MZ",
                                          "\x7f"
                                          "ELF"};
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    const size_t size = rng() % 3 == 0 ? rng() % 64 : rng() % 20000;
    std::string f;
    switch (rng() % 6) {
      case 0:
        f = peFile(rng() % 2 == 0, size);
        break;
      case 1:
        f = "MZ" + std::string(size, 'x');
        break;
      case 2:
        f = "\x7f"
            "ELF" +
            std::string(size, '\0');
        break;
      case 3:
        f = std::string(size, 'a');
        break;
      default:
        for (size_t k = 0; k < size; ++k) f.push_back(static_cast<char>(rng()));
    }
    for (unsigned k = rng() % 4; k > 0; --k) {
      const std::string& w = words[rng() % words.size()];
      const size_t at = f.size() > 200 ? 100 + rng() % (f.size() - 200) : f.size();
      f.insert(at, w);
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::set<std::string> names(const Result<std::vector<Match>>& matches) {
  REQUIRE_MESSAGE(matches.isOk(), matches.status().toString());
  std::set<std::string> out;
  for (const Match& m : *matches) out.insert(m.rule);
  return out;
}

// Per file, ScanRules finds exactly what one libyara set of all rules finds; returns how often
// each rule matched (in the reference).
std::map<std::string, int> compareWithOneSet(const std::vector<RuleSource>& sources,
                                             const std::vector<std::string>& files,
                                             bool whole_for_mz, bool expect_split) {
  ScanRules::Options options;
  options.whole_bundle_for_mz = whole_for_mz;
  auto split = ScanRules::build(sources, options, nullptr);
  REQUIRE_MESSAGE(split.isOk(), split.status().toString());
  // Equal answers alone would also come from the one-set fallback.
  REQUIRE((*split)->isSplit() == expect_split);
  auto whole = compileRules(sources, nullptr);
  REQUIRE(whole.isOk());
  CHECK((*split)->ruleCount() == whole->ruleCount());
  auto ours = (*split)->newScanner();
  auto ref = YaraScanner::create(*whole);
  REQUIRE((ours.isOk() && ref.isOk()));
  std::map<std::string, int> hits;
  for (size_t i = 0; i < files.size(); ++i) {
    FileExternals ext;
    ext.extension = i % 5 == 0 ? "exe" : "txt";
    const std::set<std::string> expected = names(ref->scan(bytes(files[i]), ext));
    CHECK_MESSAGE(names(ours->scan(bytes(files[i]), ext)) == expected, "file " << i);
    for (const std::string& r : expected) ++hits[r];
  }
  return hits;
}

TEST_CASE("ScanRules matches exactly what one set of all rules matches (generated files)") {
  bool whole_for_mz = true;
  SUBCASE("MZ files scanned by the whole bundle") { whole_for_mz = true; }
  SUBCASE("MZ files scanned by the MZ set and the non-MZ set") { whole_for_mz = false; }
  const std::map<std::string, int> hits =
      compareWithOneSet({{"r.yar", kRules}}, generatedFiles(600), whole_for_mz, true);
  // Not vacuous: every public rule matched some file, PE and non-PE alike.
  for (const char* rule : {"MzAlpha", "PeDll", "PeOrBeta", "GammaNotDll", "CountGamma", "ElfAtZero",
                           "UsesIsMz", "Random", "ImpOrAlpha", "LoopOrAt", "ExeNotMz", "NotTiny"}) {
    CAPTURE(std::string(rule));
    CHECK(hits.count(rule) == 1);
  }
}

TEST_CASE("regexps as function arguments and loop variables keep the split") {
  const std::vector<RuleSource> sources = {{"m.yar", R"(import "pe"
rule ImportsAlloc { condition: uint16(0) == 0x5a4d and pe.imports(/kernel32/i, /VirtualAlloc/) }
rule UpxSection { condition: for any s in pe.sections : (s.name == "UPX0") }
rule Beta { strings: $b = "beta" condition: $b }
)"}};
  for (bool whole_for_mz : {true, false}) {
    CAPTURE(whole_for_mz);
    const std::map<std::string, int> hits =
        compareWithOneSet(sources, generatedFiles(120), whole_for_mz, true);
    CHECK(hits.count("Beta") == 1);
  }
}

TEST_CASE("a bundle the analyser cannot use still builds (one set) and scans the same") {
  // `include` of a file outside the bundle fails analysis and compilation alike: an error.
  CHECK(ScanRules::build({{"a.yar", "include \"b.yar\""}}, {}, nullptr).status().code() ==
        ErrorCode::kRulesInvalid);
  std::vector<CompileDiagnostic> diags;
  auto bad = ScanRules::build({{"bad.yar", "rule a { condition: nope }"}}, {}, &diags);
  CHECK(bad.status().code() == ErrorCode::kRulesInvalid);
  REQUIRE_FALSE(diags.empty());
  CHECK(diags[0].file == "bad.yar");
  // Rules without any gate: no second set, same answers.
  const std::map<std::string, int> hits =
      compareWithOneSet({{"plain.yar", "rule Beta { strings: $b = \"beta\" condition: $b }"}},
                        generatedFiles(50), true, false);
  CHECK(hits.count("Beta") == 1);
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST_CASE("signature-base: the split sets match as one set does") {
  const char* env = std::getenv("XIAOAN_RULE_FIXTURES");
  const std::filesystem::path dir =
      std::filesystem::path(env != nullptr ? env : XIAOAN_RULE_FIXTURES) / "signature-base/yara";
  if (!std::filesystem::exists(dir)) {
    MESSAGE("no rule fixtures at " << dir << ": skipped");
    return;
  }
  std::vector<RuleSource> sources;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    sources.push_back({"signature-base/yara/" + e.path().filename().string(), readFile(e.path())});
  }
  std::vector<std::string> files = generatedFiles(120);
  files.push_back("<?php eval(base64_decode($_POST['x'])); ?>" + std::string(200, ' '));
  files.push_back("X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
  for (bool whole_for_mz : {true, false}) {
    CAPTURE(whole_for_mz);
    const std::map<std::string, int> hits = compareWithOneSet(sources, files, whole_for_mz, true);
    CHECK(hits.count("SUSP_Just_EICAR") == 1);
  }
}

}  // namespace
}  // namespace xiaoan::sig
