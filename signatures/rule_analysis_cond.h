#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "signatures/rule_analysis.h"
#include "signatures/rule_analysis_lexer.h"

// Condition analysis (internal to rule_analysis*): what a condition requires of a file.

namespace xiaoan::sig::analysis {

// Necessary facts about a file for an expression to be true.
struct Facts {
  std::optional<std::vector<Prefix>> prefixes;  // nullopt: no prefix requirement known
  uint64_t min_size = 0;
  uint64_t max_size = UINT64_MAX;
};

// What the condition may refer to: literal strings of the rule and facts of earlier rules.
struct CondContext {
  std::map<std::string, std::string> literal_strings;  // "$mz" -> "MZ" (exact bytes at match)
  const std::map<std::string, uint32_t>* rule_index = nullptr;
  const std::vector<RuleInfo>* rules = nullptr;
};

Facts analyseCondition(std::span<const Token> cond, const CondContext& ctx);

// Members of the pe module that are undefined for a file the module does not parse as PE
// (verified against libyara by tests/signatures/rule_analysis_test.cpp).
bool isPeOnlyMember(const std::string& member);

}  // namespace xiaoan::sig::analysis
