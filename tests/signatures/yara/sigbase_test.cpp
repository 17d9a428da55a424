// The whole public rule set of fixtures/rules (signature-base, 741 files, 5 883 rules) compiles
// and loads through the wrapper, both as an index file of includes and as top-level files.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "platform/file_util.h"
#include "signatures/yara/yara_rules.h"

namespace xiaoan::sig {
namespace {

namespace fs = std::filesystem;

std::string fixturesDir() {
  const char* env = std::getenv("XIAOAN_RULE_FIXTURES");
  return env != nullptr ? env : XIAOAN_RULE_FIXTURES;
}

// The rule files of signature-base/yara, named as sigbase-all.yar includes them.
std::vector<RuleSource> sigbaseFiles() {
  std::vector<RuleSource> out;
  for (const auto& entry : fs::directory_iterator(fixturesDir() + "/signature-base/yara")) {
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".yar" && ext != ".yara")) continue;
    auto text = readFile(entry.path().string(), 8u << 20);
    REQUIRE(text.isOk());
    out.push_back({"signature-base/yara/" + entry.path().filename().string(), std::move(*text)});
  }
  std::sort(out.begin(), out.end(),
            [](const RuleSource& a, const RuleSource& b) { return a.name < b.name; });
  return out;
}

constexpr uint32_t kSigbaseRules = 5883;

TEST_CASE("signature-base as its index of 741 includes compiles to 5 883 rules") {
  std::vector<RuleSource> sources = sigbaseFiles();
  REQUIRE(sources.size() == 741);
  auto index = readFile(fixturesDir() + "/sigbase-all.yar", 1u << 20);
  REQUIRE(index.isOk());
  sources.insert(sources.begin(), RuleSource{"sigbase-all.yar", std::move(*index)});
  std::vector<CompileDiagnostic> diags;
  auto rules = compileRules(sources, &diags);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  CHECK(rules->ruleCount() == kSigbaseRules);
  CHECK(rules->compiledBytes() > (10u << 20));
  for (const CompileDiagnostic& d : diags) CHECK(d.warning);
  auto scanner = YaraScanner::create(*rules);
  REQUIRE(scanner.isOk());
  std::string data = "MZ plain text, no detection expected";
  auto matches = scanner->scan({reinterpret_cast<const uint8_t*>(data.data()), data.size()},
                               {"a.txt", "/tmp/a.txt", "txt", "TXT", "root"});
  REQUIRE_MESSAGE(matches.isOk(), matches.status().toString());
}

TEST_CASE("signature-base as 741 top-level files compiles to the same rules") {
  auto rules = compileRules(sigbaseFiles(), nullptr);
  REQUIRE_MESSAGE(rules.isOk(), rules.status().toString());
  CHECK(rules->ruleCount() == kSigbaseRules);
}

}  // namespace
}  // namespace xiaoan::sig
