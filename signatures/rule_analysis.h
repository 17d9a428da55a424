#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/result.h"
#include "signatures/yara/yara_rules.h"

// Static analysis of YARA sources for ScanRules: cuts the sources into rules (exact text, in
// compile order, includes resolved as compileRules resolves them) and reads from each rule's
// condition what a file must have for the rule to be able to match. Conservative by
// construction: a fact is recorded only when the condition's top level is a conjunction
// (`A and B and ...`, no top-level `or`) and one conjunct has a recognised shape; everything
// else leaves the rule unrestricted.

namespace xiaoan::sig::analysis {

// Bytes the file must start with (`uint16(0) == 0x5a4d`, `$mz at 0`, `pe.is_pe` -> "MZ").
using Prefix = std::string;

struct RuleInfo {
  std::string name;
  std::string text;  // from the first modifier to the closing brace, verbatim
  std::string file;  // source name it came from
  uint32_t line = 0;
  bool is_private = false;
  bool is_global = false;
  // Any of these prefixes is required; empty = no prefix requirement.
  std::vector<Prefix> prefixes;
  uint64_t min_size = 0;  // inclusive filesize bounds
  uint64_t max_size = UINT64_MAX;
  std::vector<uint32_t> deps;        // indexes of earlier rules the condition names
  std::vector<std::string> modules;  // modules the condition uses ("pe", "math")
  bool uses_externals = false;       // reads filename / filepath / extension / ...
  bool locates_strings = false;      // uses #, @, !, at, in (fast mode must keep all matches)
};

struct Analysis {
  std::vector<RuleInfo> rules;  // compile order
};

// E_RULES_INVALID when a source cannot be tokenised or cut into rules (the caller then falls
// back to one set); an include that names no source is an error too.
Result<Analysis> analyse(const std::vector<RuleSource>& sources);

// True when every file the rule can match starts with one of `prefixes` (empty: always).
bool prefixAllows(const std::vector<Prefix>& prefixes, std::string_view file_start);

}  // namespace xiaoan::sig::analysis
