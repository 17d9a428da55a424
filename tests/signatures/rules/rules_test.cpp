// The default rule set (signatures/rules) against generated samples: every rule matches its
// positives and nothing else, no rule matches a negative, every rule has a positive (a new rule
// cannot land untested), every rule carries the meta and the cheap first test that README.md
// asks for, and the rule files themselves, as files and as a bundle, match nothing (the agent
// scans the directory they are installed in).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "signatures/bundle.h"
#include "signatures/scan_rules.h"
#include "signatures/yara/yara_rules.h"
#include "tests/signatures/rules/samples.h"

namespace xiaoan::sig {
namespace {

using samples::Sample;

struct RuleSet {
  v1::SignatureBundle bundle;
  std::vector<CompileDiagnostic> diagnostics;
  std::unique_ptr<YaraRules> rules;
};

const RuleSet& ruleSet() {
  static const RuleSet set = [] {
    RuleSet s;
    auto bundle = bundleFromDirectory(XIAOAN_SOURCE_DIR "/signatures/rules");
    REQUIRE_MESSAGE(bundle.isOk(), bundle.status().toString());
    s.bundle = std::move(bundle).value();
    auto rules = compileRules(sourcesOf(s.bundle), &s.diagnostics);
    REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
    s.rules = std::make_unique<YaraRules>(std::move(rules).value());
    return s;
  }();
  return set;
}

std::vector<Sample> allSamples() {
  std::vector<Sample> out;
  for (auto* group :
       {samples::eicarAndWormSamples, samples::ransomwareSamples, samples::minerAndWebShellSamples,
        samples::toolSamples, samples::benignSamples}) {
    for (auto& s : group()) out.push_back(std::move(s));
  }
  return out;
}

FileExternals externalsFor(const std::string& filename) {
  FileExternals ext;
  ext.filename = filename;
  ext.filepath = "/media/student/USB/" + filename;
  const size_t dot = filename.rfind('.');
  if (dot != std::string::npos) {
    for (char c : filename.substr(dot + 1)) {
      ext.extension += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ext.filetype += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  ext.owner = "student";
  return ext;
}

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

template <typename Scanner>
std::set<std::string> matchNames(Scanner& scanner, const std::string& data,
                                 const std::string& filename) {
  auto matches = scanner.scan(bytes(data), externalsFor(filename));
  REQUIRE_MESSAGE(matches.isOk(), matches.status().toString());
  std::set<std::string> names;
  for (const Match& m : *matches) names.insert(m.rule);
  return names;
}

YaraScanner newScanner() {
  auto scanner = YaraScanner::create(*ruleSet().rules);
  REQUIRE_MESSAGE(scanner.isOk(), scanner.status().toString());
  return std::move(scanner).value();
}

std::string describe(const std::set<std::string>& names) {
  std::string out = "{";
  for (const auto& n : names) out += " " + n;
  return out + " }";
}

// One rule as written: its file, name, tags and the text up to the next rule.
struct RuleText {
  std::string file, name, tags, body;
};

std::vector<RuleText> ruleTexts() {
  static const std::regex kDecl(R"((^|\n)rule[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(:([^\n{]*))?)");
  std::vector<RuleText> out;
  for (const auto& f : ruleSet().bundle.files()) {
    const std::string& text = f.content();
    std::vector<std::smatch> decls(std::sregex_iterator(text.begin(), text.end(), kDecl),
                                   std::sregex_iterator());
    for (size_t i = 0; i < decls.size(); ++i) {
      const size_t start = static_cast<size_t>(decls[i].position(0) + decls[i].length(0));
      const size_t end =
          i + 1 < decls.size() ? static_cast<size_t>(decls[i + 1].position(0)) : text.size();
      out.push_back({f.name(), decls[i][2], decls[i][4], text.substr(start, end - start)});
    }
  }
  return out;
}

TEST_CASE("the default rule set compiles without errors or warnings") {
  const RuleSet& s = ruleSet();
  CHECK(s.bundle.files_size() >= 7);
  for (const auto& d : s.diagnostics) {
    FAIL_CHECK(d.file, ":", d.line, ": ", d.message);
  }
  CHECK(s.rules->ruleCount() == ruleTexts().size());
}

TEST_CASE("every rule matches its positive samples, and only the rules named there match") {
  YaraScanner scanner = newScanner();
  int positives = 0;
  for (const Sample& s : allSamples()) {
    if (s.rules.empty()) continue;
    ++positives;
    CAPTURE(s.label);
    CHECK_MESSAGE(matchNames(scanner, s.data, s.filename) == s.rules, "matched ",
                  describe(matchNames(scanner, s.data, s.filename)), " expected ",
                  describe(s.rules));
  }
  CHECK(positives >= 40);
}

TEST_CASE("no rule matches a negative sample") {
  YaraScanner scanner = newScanner();
  int negatives = 0;
  for (const Sample& s : allSamples()) {
    if (!s.rules.empty()) continue;
    ++negatives;
    CAPTURE(s.label);
    CHECK_MESSAGE(matchNames(scanner, s.data, s.filename).empty(), "matched ",
                  describe(matchNames(scanner, s.data, s.filename)));
  }
  CHECK(negatives >= 30);
}

TEST_CASE("every rule in signatures/rules has a positive sample") {
  std::set<std::string> covered;
  for (const Sample& s : allSamples()) covered.insert(s.rules.begin(), s.rules.end());
  std::set<std::string> defined;
  for (const RuleText& r : ruleTexts()) {
    CAPTURE(r.file);
    CHECK_MESSAGE(defined.insert(r.name).second, "rule ", r.name, " defined twice");
    CHECK_MESSAGE(covered.contains(r.name), "rule ", r.name, " has no positive sample");
  }
  for (const std::string& name : covered) {
    CHECK_MESSAGE(defined.contains(name), "samples expect rule ", name, " that does not exist");
  }
}

TEST_CASE("every rule has tags, the xiaoan meta and a cheap first test") {
  static const std::regex kDescription(R"re(\n[ \t]+description = "[^"\n]{20,}")re");
  static const std::regex kSeverity(R"re(\n[ \t]+severity = "(critical|high|medium|low)")re");
  static const std::regex kCategory(
      R"re(\n[ \t]+category = "(test|worm|ransomware|coinminer|webshell|credential-theft|rat|pua)")re");
  // The first test of a condition is a header check or a filesize bound: it fails fast and
  // lets the partitioned engine (ScanRules) leave the rule out for files it cannot match.
  static const std::regex kCheapFirst(
      R"re(\n[ \t]+condition:\s+(filesize (<|<=) [0-9]+(KB|MB)? and|uint(16|32)\(0\) == 0x[0-9A-F]+ and))re");
  for (const RuleText& r : ruleTexts()) {
    CAPTURE(r.name);
    CHECK(r.tags.find_first_not_of(" \t") != std::string::npos);
    CHECK(r.body.find("\n        author = \"xiaoan\"\n") != std::string::npos);
    CHECK(std::regex_search(r.body, kDescription));
    CHECK(std::regex_search(r.body, kSeverity));
    CHECK(std::regex_search(r.body, kCategory));
    CHECK(std::regex_search(r.body, kCheapFirst));
  }
}

TEST_CASE("the rule files and the bundle made of them match no rule") {
  YaraScanner scanner = newScanner();
  const RuleSet& s = ruleSet();
  for (const auto& f : s.bundle.files()) {
    CAPTURE(f.name());
    CHECK(matchNames(scanner, f.content(), f.name()).empty());
  }
  CHECK(matchNames(scanner, s.bundle.SerializeAsString(), "bundle.pb").empty());
}

TEST_CASE("the partitioned rules (ScanRules) find the same matches") {
  auto partitioned = ScanRules::build(sourcesOf(ruleSet().bundle), {}, nullptr);
  REQUIRE_MESSAGE(partitioned.isOk(), partitioned.status().toString());
  auto fast = (*partitioned)->newScanner();
  REQUIRE(fast.isOk());
  YaraScanner plain = newScanner();
  for (const Sample& s : allSamples()) {
    CAPTURE(s.label);
    CHECK(matchNames(*fast, s.data, s.filename) == matchNames(plain, s.data, s.filename));
  }
}

}  // namespace
}  // namespace xiaoan::sig
