#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "platform/result.h"
#include "signatures/yara/yara_rules.h"

namespace xiaoan::sig {

// Rules prepared for fast scanning. The sources are split by what each rule's condition
// requires of a file (e.g. an MZ header, a filesize bound) and compiled into a few sets, so a
// file is evaluated only against the rules that can match it; a rule that cannot be analysed
// goes into every set. Matches are identical to scanning with all rules at once.
// Immutable after build; scan threads share it through shared_ptr and each owns a Scanner.
class ScanRules {
 public:
  struct Options {
    uint64_t bundle_version = 0;      // 0 = the rules shipped with the agent
    bool whole_bundle_for_mz = true;  // split::SplitOptions::whole_for_mz
  };

  static Result<std::shared_ptr<const ScanRules>> build(
      const std::vector<RuleSource>& sources, const Options& options,
      std::vector<CompileDiagnostic>* diagnostics);

  uint64_t bundleVersion() const;
  uint32_t ruleCount() const;
  uint64_t compiledBytes() const;
  // True when files without an MZ header get their own set (the analysis and both compiles
  // worked); false when every file is scanned with the whole bundle.
  bool isSplit() const;

  // Per-thread scanning context over every set; create once per thread and reuse.
  class Scanner {
   public:
    // `data` is the whole file; E_SCAN_TIMEOUT when the per-file timeout expired.
    Result<std::vector<Match>> scan(std::span<const uint8_t> data, const FileExternals& ext);
    void setTimeout(std::chrono::seconds timeout);
    struct Impl;
    explicit Scanner(std::unique_ptr<Impl> impl);
    Scanner(Scanner&&) noexcept;
    Scanner& operator=(Scanner&&) noexcept;
    ~Scanner();

   private:
    std::unique_ptr<Impl> impl_;
  };
  Result<Scanner> newScanner() const;

  struct Impl;
  explicit ScanRules(std::unique_ptr<Impl> impl);
  ~ScanRules();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoan::sig
