#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "platform/result.h"
#include "signatures/yara/yara_rules.h"
#include "xiaoan/v1/scan.pb.h"

// Every compiler error of a rejected signature bundle, so the admin fixes all broken files in
// one round. libyara refuses more input after a file that failed, so sig::compileRules names
// the errors of the first broken file only; the rest are found by compiling again without the
// files already known to be broken.
namespace xiaoan::collector {

struct RuleErrorLimits {
  size_t max_passes = 20;           // extra compiles
  std::chrono::seconds budget{30};  // wall time of the extra compiles
};

// `first` are the diagnostics of the failed compile of `sources` (whose status is `failure`).
// Returns the errors (not warnings) of that compile and of each further compile without the
// broken file and the files that include it, until the rest compiles or a limit is reached
// (then a last entry without a file says that more files may be broken). Errors in files that
// only fail because a rule of a removed file is missing may appear; they name their file too.
std::vector<v1::RuleDiagnostic> everyRuleError(std::vector<sig::RuleSource> sources,
                                               const std::vector<sig::CompileDiagnostic>& first,
                                               const Status& failure,
                                               const RuleErrorLimits& limits = {});

}  // namespace xiaoan::collector
