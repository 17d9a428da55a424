// ScanRules: the bundle compiled as a whole (for files starting with "MZ") plus a smaller set
// for every other file (rule_split.h explains which rules it holds and why its results are the
// same). If the sources cannot be analysed or the smaller set does not compile, every file is
// scanned with the whole bundle: slower, never different.

#include "signatures/scan_rules.h"

#include <optional>

#include "platform/logging.h"
#include "signatures/rule_analysis.h"
#include "signatures/rule_split.h"

namespace xiaoan::sig {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = componentLogger("signatures.rules");
  return log;
}

// The non-MZ set, or nullopt when the bundle is scanned whole (reason logged).
std::optional<YaraRules> compileNonMzSet(const std::vector<RuleSource>& sources,
                                         const YaraRules& full) {
  auto analysed = analysis::analyse(sources);
  if (!analysed) {
    logger()->warn("rules not analysed, scanning with one set: {}", analysed.status().message());
    return std::nullopt;
  }
  const split::NonMzPlan plan = split::planNonMz(*analysed);
  if (plan.rules == full.ruleCount() && plan.rewritten == 0) return std::nullopt;  // no gain
  std::vector<CompileDiagnostic> ignored;
  auto rules = compileRules({RuleSource{"non-mz-set.yar", plan.source}}, &ignored);
  if (!rules || rules->ruleCount() != plan.rules) {
    logger()->warn("non-MZ rule set not usable, scanning with one set: {}",
                   rules ? "rule count differs" : rules.status().message());
    return std::nullopt;
  }
  logger()->info("rule sets: {} rules for MZ files, {} for others ({} rewritten, pe module {})",
                 full.ruleCount(), plan.rules, plan.rewritten,
                 plan.imports_pe ? "still needed" : "not loaded");
  return std::move(*rules);
}

// Fast mode (stop at a string's first match) is exact: libyara keeps every match of the
// strings a condition counts or locates (#, @, !, at, in: they lose STRING_FLAGS_SINGLE_MATCH
// at compile time), and for the others one match decides the same as all of them. It also
// keeps a scan of a large file from recording millions of matches (hundreds of MB).
Result<YaraScanner> fastScanner(const YaraRules& rules) {
  XIAOAN_ASSIGN_OR_RETURN(YaraScanner scanner, YaraScanner::create(rules));
  scanner.setFastMode(true);
  return scanner;
}

}  // namespace

struct ScanRules::Impl {
  YaraRules full;
  std::optional<YaraRules> non_mz;
  uint64_t bundle_version = 0;
};

struct ScanRules::Scanner::Impl {
  YaraScanner full;
  std::optional<YaraScanner> non_mz;
};

Result<std::shared_ptr<const ScanRules>> ScanRules::build(
    const std::vector<RuleSource>& sources, const Options& options,
    std::vector<CompileDiagnostic>* diagnostics) {
  XIAOAN_ASSIGN_OR_RETURN(YaraRules full, compileRules(sources, diagnostics));
  std::optional<YaraRules> non_mz = compileNonMzSet(sources, full);
  auto impl =
      std::make_unique<Impl>(Impl{std::move(full), std::move(non_mz), options.bundle_version});
  return std::shared_ptr<const ScanRules>(std::make_shared<ScanRules>(std::move(impl)));
}

ScanRules::ScanRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::~ScanRules() = default;

uint64_t ScanRules::bundleVersion() const { return impl_->bundle_version; }
uint32_t ScanRules::ruleCount() const { return impl_->full.ruleCount(); }

// Everything held: the whole bundle and the non-MZ set.
uint64_t ScanRules::compiledBytes() const {
  return impl_->full.compiledBytes() + (impl_->non_mz ? impl_->non_mz->compiledBytes() : 0);
}

Result<ScanRules::Scanner> ScanRules::newScanner() const {
  XIAOAN_ASSIGN_OR_RETURN(YaraScanner full, fastScanner(impl_->full));
  std::optional<YaraScanner> non_mz;
  if (impl_->non_mz) {
    XIAOAN_ASSIGN_OR_RETURN(YaraScanner s, fastScanner(*impl_->non_mz));
    non_mz.emplace(std::move(s));
  }
  return Scanner(
      std::make_unique<Scanner::Impl>(Scanner::Impl{std::move(full), std::move(non_mz)}));
}

ScanRules::Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::Scanner::Scanner(Scanner&&) noexcept = default;
ScanRules::Scanner& ScanRules::Scanner::operator=(Scanner&&) noexcept = default;
ScanRules::Scanner::~Scanner() = default;

Result<std::vector<Match>> ScanRules::Scanner::scan(std::span<const uint8_t> data,
                                                    const FileExternals& ext) {
  if (impl_->non_mz && !split::needsFullSet(data)) return impl_->non_mz->scan(data, ext);
  return impl_->full.scan(data, ext);
}

void ScanRules::Scanner::setTimeout(std::chrono::seconds timeout) {
  impl_->full.setTimeout(timeout);
  if (impl_->non_mz) impl_->non_mz->setTimeout(timeout);
}

}  // namespace xiaoan::sig
