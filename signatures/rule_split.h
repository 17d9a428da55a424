#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "platform/result.h"
#include "signatures/rule_analysis.h"

// Planning of the rule sets ScanRules compiles (see scan_rules.h).
//
// Two compiled sets, each rule compiled about once (memory stays that of one set):
// - the "non-MZ" set, described below, scans every file that does not start with "MZ" (most
//   files), alone;
// - the "MZ" set holds the rules the non-MZ set leaves out (they need an MZ/PE header, so only
//   files starting with "MZ" can match them) and those it changed; a file starting with "MZ" is
//   scanned with both sets, and each rule's answer taken from the set where it is unchanged.
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

// The source of one compiled set.
struct SetSource {
  std::string text;         // imports + rule texts, in compile order
  uint32_t rules = 0;       // rules in the set
  bool imports_pe = false;  // (non-MZ set) some pe use could not be replaced
};

// The two sets. Every rule is answered for a non-MZ file by `non_mz`; for an MZ file by `mz` if
// it is there, else by `non_mz` (where it is then unchanged, as are its dependencies).
struct SplitPlan {
  SetSource non_mz;
  SetSource mz;
  bool mz_is_whole = false;            // `mz` holds every rule: scan MZ files with it alone
  std::vector<std::string> untrusted;  // non_mz rules whose answer there is for non-MZ files
  uint32_t rewritten = 0;              // rules of non_mz whose pe sub-expressions were replaced
};

struct SplitOptions {
  // true: MZ files are scanned by the whole bundle, in one pass (faster: on make-corpus, the
  // 0.7 % of files that are PE took 40 % of the CPU in two passes). false: by the rules the
  // non-MZ set cannot answer for them, plus the non-MZ set (less memory: ~5 MB instead of
  // ~16 MB compiled for signature-base).
  bool whole_for_mz = true;
};

SplitPlan planSplit(const analysis::Analysis& analysis, const SplitOptions& options = {});

// The rule text with pe sub-expressions replaced as described above; `uses_pe` tells whether
// any pe reference is left. The text must be one whole rule (RuleInfo::text).
struct Rewrite {
  std::string text;
  bool changed = false;
  bool uses_pe = false;
};
Result<Rewrite> rewriteForNonPe(const std::string& rule_text);

// True when `data` starts with "MZ": scanned with the MZ set too (the non-MZ set alone otherwise).
inline bool startsWithMz(std::span<const uint8_t> data) {
  return data.size() >= 2 && data[0] == 'M' && data[1] == 'Z';
}

}  // namespace xiaoan::sig::split
