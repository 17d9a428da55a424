// First, simple ScanRules: one set holding every rule. The partitioned implementation replaces
// these internals; the public contract (scan_rules.h) stays.

#include "signatures/scan_rules.h"

namespace xiaoan::sig {

struct ScanRules::Impl {
  YaraRules rules;
  uint64_t bundle_version = 0;
};

struct ScanRules::Scanner::Impl {
  YaraScanner scanner;
};

Result<std::shared_ptr<const ScanRules>> ScanRules::build(
    const std::vector<RuleSource>& sources, const Options& options,
    std::vector<CompileDiagnostic>* diagnostics) {
  XIAOAN_ASSIGN_OR_RETURN(YaraRules rules, compileRules(sources, diagnostics));
  auto impl = std::make_unique<Impl>(Impl{std::move(rules), options.bundle_version});
  return std::shared_ptr<const ScanRules>(std::make_shared<ScanRules>(std::move(impl)));
}

ScanRules::ScanRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::~ScanRules() = default;

uint64_t ScanRules::bundleVersion() const { return impl_->bundle_version; }
uint32_t ScanRules::ruleCount() const { return impl_->rules.ruleCount(); }
uint64_t ScanRules::compiledBytes() const { return impl_->rules.compiledBytes(); }

Result<ScanRules::Scanner> ScanRules::newScanner() const {
  XIAOAN_ASSIGN_OR_RETURN(YaraScanner scanner, YaraScanner::create(impl_->rules));
  return Scanner(std::make_unique<Scanner::Impl>(Scanner::Impl{std::move(scanner)}));
}

ScanRules::Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScanRules::Scanner::Scanner(Scanner&&) noexcept = default;
ScanRules::Scanner& ScanRules::Scanner::operator=(Scanner&&) noexcept = default;
ScanRules::Scanner::~Scanner() = default;

Result<std::vector<Match>> ScanRules::Scanner::scan(std::span<const uint8_t> data,
                                                    const FileExternals& ext) {
  return impl_->scanner.scan(data, ext);
}

void ScanRules::Scanner::setTimeout(std::chrono::seconds timeout) {
  impl_->scanner.setTimeout(timeout);
}

}  // namespace xiaoan::sig
