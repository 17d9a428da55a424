#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "platform/result.h"

// libyara, wrapped once (STYLE.md §9): RAII owners, one scanner per thread, every libyara
// `int` converted to a Status at this seam. No libyara header leaks out of signatures/yara/.

namespace xiaoan::sig {

// One YARA source file; `name` is its bundle-relative path ("webshell/php.yar").
struct RuleSource {
  std::string name;
  std::string text;
};

// A compiler error or warning, located in a bundle file.
struct CompileDiagnostic {
  std::string file;
  uint32_t line = 0;
  std::string message;
  bool warning = false;
};

// The external variables every compile defines (public rule sets use them; see
// fixtures/rules). All are strings, set per file by the scanner.
inline constexpr const char* kExternalNames[] = {"filename", "filepath", "extension", "filetype",
                                                 "owner"};

// Per-file values of the external variables.
struct FileExternals {
  std::string filename;   // base name
  std::string filepath;   // full path
  std::string extension;  // lower-case, without the dot ("exe"), empty when none
  std::string filetype;   // upper-case extension ("EXE"), as THOR-style rules expect
  std::string owner;      // owner user name
};

// One matching rule.
struct Match {
  std::string rule;
  std::string rule_namespace;
  std::vector<std::string> tags;
};

// Compiled rules. Move-only; moving out or assigning frees what was held.
class YaraRules {
 public:
  YaraRules(YaraRules&&) noexcept;
  YaraRules& operator=(YaraRules&&) noexcept;
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;
  ~YaraRules();

  uint32_t ruleCount() const;
  // Bytes of the compiled form (as yr_rules_save would write), for status and limits.
  uint64_t compiledBytes() const;

  struct Impl;
  explicit YaraRules(std::unique_ptr<Impl> impl);
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Compiles the sources, in order, into one namespace ("default"). `include "x.yar"` resolves
// against the other sources (relative to the including file's directory), never the file
// system; a source another one includes is compiled only where it is included (its rules
// would otherwise be defined twice), and sources that only include each other in a cycle are
// rejected. Every error and warning is appended to *diagnostics (may be null). Any error:
// E_RULES_INVALID, message "file:line: text" of the first one.
Result<YaraRules> compileRules(const std::vector<RuleSource>& sources,
                               std::vector<CompileDiagnostic>* diagnostics);

// Compiled rules in libyara's saved form (what yr_rules_save writes), not loaded yet.
struct SavedRules {
  std::string bytes;
};

// compileRules in two steps, so a caller compiling several sets can free every compile before
// loading any of them (loaded into a heap the compiles fragmented, the rules take more memory).
// compileRulesSaved compiles as compileRules does and frees the compiler; loadSavedRules loads.
Result<SavedRules> compileRulesSaved(const std::vector<RuleSource>& sources,
                                     std::vector<CompileDiagnostic>* diagnostics);
Result<YaraRules> loadSavedRules(SavedRules saved);

// A scanner bound to one YaraRules; use from one thread at a time (one per thread). The
// rules must outlive it. Reused across files: create once per thread, not per file.
class YaraScanner {
 public:
  static Result<YaraScanner> create(const YaraRules& rules);
  YaraScanner(YaraScanner&&) noexcept;
  YaraScanner& operator=(YaraScanner&&) noexcept;
  YaraScanner(const YaraScanner&) = delete;
  YaraScanner& operator=(const YaraScanner&) = delete;
  ~YaraScanner();

  void setTimeout(std::chrono::seconds timeout);
  // Fast mode: one match per string is enough; exact only for rules that neither count nor
  // locate matches (the engine decides when to use it).
  void setFastMode(bool fast);
  // Matching rules of `data`. E_SCAN_TIMEOUT when the timeout expired, E_TOO_LARGE /
  // E_INTERNAL for other libyara failures.
  Result<std::vector<Match>> scan(std::span<const uint8_t> data, const FileExternals& externals);

  struct Impl;

 private:
  explicit YaraScanner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xiaoan::sig
