#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "platform/result.h"
#include "signatures/rule_analysis.h"

// Planning of the rule sets ScanRules compiles (see scan_rules.h).
//
// Every file is scanned exactly once, with one of two sets:
// - files starting with "MZ": the whole bundle as compiled (the rules that need an MZ/PE
//   header are about half of a typical rule set and only such files can match them);
// - every other file: the "non-MZ" set below.
//
// The non-MZ set holds every rule that can match a file not starting with "MZ" (rules whose
// condition requires an "MZ" prefix are left out), plus the rules those reference and every
// global rule. The `pe` module cannot parse a file without an MZ header, so in this set each
// sub-expression whose value comes from a pe member (pe.imphash(), pe.number_of_signatures-1,
// ...) is undefined on every file it scans: it is replaced by another undefined expression,
// `uint8(filesize)`, and `pe.is_pe` by its value 0. Values, hence results, stay identical,
// and the set usually no longer imports `pe`, whose per-scan setup is the largest fixed cost of
// a scan (its module object has hundreds of members, rebuilt for every file).

namespace xiaoan::sig::split {

// The sub-set of rules for files that do not start with "MZ", as one YARA source.
struct NonMzPlan {
  std::string source;       // imports + rule texts, in compile order
  uint32_t rules = 0;       // rules in the set
  uint32_t rewritten = 0;   // rules whose pe sub-expressions were replaced
  bool imports_pe = false;  // some pe use could not be replaced
};

NonMzPlan planNonMz(const analysis::Analysis& analysis);

// The rule text with pe sub-expressions replaced as described above; `uses_pe` tells whether
// any pe reference is left. The text must be one whole rule (RuleInfo::text).
struct Rewrite {
  std::string text;
  bool changed = false;
  bool uses_pe = false;
};
Result<Rewrite> rewriteForNonPe(const std::string& rule_text);

// True when `data` is scanned with the whole bundle (it starts with "MZ").
inline bool needsFullSet(std::span<const uint8_t> data) {
  return data.size() >= 2 && data[0] == 'M' && data[1] == 'Z';
}

}  // namespace xiaoan::sig::split
