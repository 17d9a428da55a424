// ScanRules: the bundle as two compiled sets (rule_split.h says which rules each holds and why
// the answers are those of the whole bundle). If the sources cannot be analysed or a set does
// not compile, the bundle is compiled and scanned whole: slower, never different.

#include "signatures/scan_rules.h"

#include <optional>
#include <unordered_set>

#include "platform/logging.h"
#include "signatures/rule_analysis.h"
#include "signatures/rule_split.h"
#include "signatures/yara/yara_library.h"

namespace xiaoan::sig {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = componentLogger(LogComponent::kSignatures);
  return log;
}

Result<SavedRules> compileSet(const char* name, const split::SetSource& set) {
  std::vector<CompileDiagnostic> ignored;  // warnings were reported for the bundle itself
  return compileRulesSaved({RuleSource{name, set.text}}, &ignored);
}

Result<YaraRules> loadSet(const char* name, SavedRules saved, uint32_t expected_rules) {
  XIAOAN_ASSIGN_OR_RETURN(YaraRules rules, loadSavedRules(std::move(saved)));
  if (rules.ruleCount() != expected_rules) {
    return Status(ErrorCode::kInternal, std::string(name) + ": rule count differs from the plan");
  }
  return rules;
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
  std::optional<YaraRules> non_mz;  // nullopt: `mz` is the whole bundle, for every file
  YaraRules mz;
  bool mz_is_whole = true;
  std::unordered_set<std::string> untrusted;  // non_mz answers not valid for MZ files
  uint32_t rule_count = 0;
  uint64_t bundle_version = 0;
};

namespace {

// What the split compiles to, before loading: the sets saved, the analysis freed.
struct SavedSplit {
  SavedRules non_mz;
  std::optional<SavedRules> mz;  // nullopt: MZ files get the whole bundle, compiled as written
  uint32_t non_mz_rules = 0;
  uint32_t mz_rules = 0;
  uint32_t rule_count = 0;  // of the bundle, as analysed
  std::unordered_set<std::string> untrusted;
};

// The split sets compiled, or nullopt when the bundle is to be scanned whole (reason logged).
std::optional<SavedSplit> compileSplit(const std::vector<RuleSource>& sources,
                                       const ScanRules::Options& options) {
  auto analysed = analysis::analyse(sources);
  if (!analysed) {
    logger()->warn("rules not analysed, scanning with one set: {}", analysed.status().message());
    return std::nullopt;
  }
  const auto rule_count = static_cast<uint32_t>(analysed->rules.size());
  split::SplitPlan plan =
      split::planSplit(*analysed, split::SplitOptions{options.whole_bundle_for_mz});
  if (plan.non_mz.rules == rule_count && plan.rewritten == 0) return std::nullopt;  // no gain
  auto non_mz = compileSet("non-mz-set.yar", plan.non_mz);
  std::optional<Result<SavedRules>> mz;
  if (!plan.mz_is_whole) mz = compileSet("mz-set.yar", plan.mz);
  const Status failed = !non_mz ? non_mz.status() : (mz && !*mz) ? mz->status() : Status::ok();
  if (!failed.isOk()) {
    logger()->warn("split rule sets not usable, scanning with one set: {}", failed.message());
    return std::nullopt;
  }
  std::optional<SavedRules> mz_saved;
  if (mz) mz_saved = std::move(**mz);
  logger()->info(
      "rule sets: {} rules for files without an MZ header ({} rewritten, pe module {}), "
      "{} for MZ files{}",
      plan.non_mz.rules, plan.rewritten, plan.non_mz.imports_pe ? "needed" : "not loaded",
      plan.mz.rules, plan.mz_is_whole ? " (the whole bundle)" : " (with the first set)");
  return SavedSplit{std::move(*non_mz), std::move(mz_saved),
                    plan.non_mz.rules,  plan.mz.rules,
                    rule_count,         {plan.untrusted.begin(), plan.untrusted.end()}};
}

// Loads the sets, once every compile and the analysis are freed and the heap trimmed (loaded
// into that heap they take ~10 MB less). nullopt: the split is not usable and `whole` is left
// for one set. `whole` is taken only when MZ files get it; if libyara then counts other rules
// than the analysis did, it is used alone.
Result<std::optional<ScanRules::Impl>> loadSplit(SavedSplit saved, SavedRules& whole) {
  auto non_mz = loadSet("non-mz-set.yar", std::move(saved.non_mz), saved.non_mz_rules);
  std::optional<Result<YaraRules>> mz;
  if (non_mz && saved.mz) mz = loadSet("mz-set.yar", std::move(*saved.mz), saved.mz_rules);
  const Status failed = !non_mz ? non_mz.status() : (mz && !*mz) ? mz->status() : Status::ok();
  if (!failed.isOk()) {
    logger()->warn("split rule sets not usable, scanning with one set: {}", failed.message());
    return std::optional<ScanRules::Impl>();
  }
  if (mz) {
    return std::optional<ScanRules::Impl>(ScanRules::Impl{std::move(*non_mz), std::move(**mz),
                                                          false, std::move(saved.untrusted),
                                                          saved.rule_count, 0});
  }
  XIAOAN_ASSIGN_OR_RETURN(YaraRules all, loadSavedRules(std::move(whole)));
  const uint32_t count = all.ruleCount();
  if (count != saved.rule_count) {
    logger()->warn("rule analysis counted {} rules, libyara {}: scanning with one set",
                   saved.rule_count, count);
    return std::optional<ScanRules::Impl>(
        ScanRules::Impl{std::nullopt, std::move(all), true, {}, count, 0});
  }
  return std::optional<ScanRules::Impl>(
      ScanRules::Impl{std::move(*non_mz), std::move(all), true, {}, count, 0});
}

}  // namespace

struct ScanRules::Scanner::Impl {
  const ScanRules::Impl* rules = nullptr;
  std::optional<YaraScanner> non_mz;
  YaraScanner mz;
};

Result<std::shared_ptr<const ScanRules>> ScanRules::build(
    const std::vector<RuleSource>& sources, const Options& options,
    std::vector<CompileDiagnostic>* diagnostics) {
  // Held for the whole build: libyara is not finalized between a compile and its load.
  XIAOAN_ASSIGN_OR_RETURN(YaraLibraryRef lib, YaraLibraryRef::acquire());
  // The bundle as written: its diagnostics, and the set for MZ files (or, without a usable
  // split, for every file). Kept in its saved form until the other sets are compiled.
  XIAOAN_ASSIGN_OR_RETURN(SavedRules whole, compileRulesSaved(sources, diagnostics));
  std::optional<Impl> split;
  {
    std::optional<SavedSplit> saved = compileSplit(sources, options);
    // The compiles and the analysis freed tens of MB in small blocks: give the pages back
    // before loading, and again after, instead of carrying them while idle.
    trimHeap();
    if (saved) {
      XIAOAN_ASSIGN_OR_RETURN(split, loadSplit(std::move(*saved), whole));
    }
  }
  if (!split) {
    XIAOAN_ASSIGN_OR_RETURN(YaraRules all, loadSavedRules(std::move(whole)));
    const uint32_t count = all.ruleCount();
    split.emplace(Impl{std::nullopt, std::move(all), true, {}, count, 0});
  }
  split->bundle_version = options.bundle_version;
  trimHeap();
  auto impl = std::make_unique<Impl>(std::move(*split));
  return std::shared_ptr<const ScanRules>(std::make_shared<ScanRules>(std::move(impl)));
}

ScanRules::ScanRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::~ScanRules() = default;

uint64_t ScanRules::bundleVersion() const { return impl_->bundle_version; }
uint32_t ScanRules::ruleCount() const { return impl_->rule_count; }
bool ScanRules::isSplit() const { return impl_->non_mz.has_value(); }

// Everything held: both sets.
uint64_t ScanRules::compiledBytes() const {
  return impl_->mz.compiledBytes() + (impl_->non_mz ? impl_->non_mz->compiledBytes() : 0);
}

Result<ScanRules::Scanner> ScanRules::newScanner() const {
  XIAOAN_ASSIGN_OR_RETURN(YaraScanner mz, fastScanner(impl_->mz));
  std::optional<YaraScanner> non_mz;
  if (impl_->non_mz) {
    XIAOAN_ASSIGN_OR_RETURN(YaraScanner s, fastScanner(*impl_->non_mz));
    non_mz.emplace(std::move(s));
  }
  return Scanner(std::make_unique<Scanner::Impl>(
      Scanner::Impl{impl_.get(), std::move(non_mz), std::move(mz)}));
}

ScanRules::Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::Scanner::Scanner(Scanner&&) noexcept = default;
ScanRules::Scanner& ScanRules::Scanner::operator=(Scanner&&) noexcept = default;
ScanRules::Scanner::~Scanner() = default;

// A file without an MZ header: the non-MZ set alone. With one: the MZ set, plus the non-MZ
// set's answers for the rules the MZ set does not hold.
Result<std::vector<Match>> ScanRules::Scanner::scan(std::span<const uint8_t> data,
                                                    const FileExternals& ext) {
  const bool mz_file = split::startsWithMz(data);
  if (impl_->non_mz && !mz_file) return impl_->non_mz->scan(data, ext);
  if (!impl_->non_mz || impl_->rules->mz_is_whole) return impl_->mz.scan(data, ext);
  XIAOAN_ASSIGN_OR_RETURN(std::vector<Match> general, impl_->non_mz->scan(data, ext));
  XIAOAN_ASSIGN_OR_RETURN(std::vector<Match> matches, impl_->mz.scan(data, ext));
  std::unordered_set<std::string> seen;
  for (const Match& m : matches) seen.insert(m.rule);
  for (Match& m : general) {
    if (!impl_->rules->untrusted.count(m.rule) && seen.insert(m.rule).second) {
      matches.push_back(std::move(m));
    }
  }
  return matches;
}

void ScanRules::Scanner::setTimeout(std::chrono::seconds timeout) {
  impl_->mz.setTimeout(timeout);
  if (impl_->non_mz) impl_->non_mz->setTimeout(timeout);
}

}  // namespace xiaoan::sig
