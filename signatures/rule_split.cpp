#include "signatures/rule_split.h"

#include <optional>
#include <set>
#include <vector>

#include "signatures/rule_analysis_cond.h"
#include "signatures/rule_analysis_lexer.h"

namespace xiaoan::sig::split {
namespace {

using analysis::Token;
using analysis::TokKind;

// The undefined integer that replaces an undefined pe sub-expression: reading one byte past
// the end of the data is undefined for every file, the empty one included.
constexpr const char* kUndefined = "uint8(filesize)";

bool isOpen(const Token& t) { return isPunct(t, "(") || isPunct(t, "["); }
bool isClose(const Token& t) { return isPunct(t, ")") || isPunct(t, "]"); }

// Keywords that end a value expression (boolean operators, loops, string-set syntax).
bool isBoundary(const Token& t) {
  static const std::set<std::string> kWords = {"and", "or",  "not", "at",   "in",   "of",
                                               "for", "all", "any", "none", "them", "defined"};
  if (t.kind == TokKind::kIdent) return kWords.count(t.text) > 0;
  return isPunct(t, ",") || isPunct(t, ":") || isPunct(t, "..");
}

// `pe` used as the module (not a member named pe), followed by `.member`.
bool isPeRef(const std::vector<Token>& t, size_t k, size_t begin) {
  return isIdent(t[k], "pe") && (k == begin || !isPunct(t[k - 1], ".")) && k + 2 < t.size() &&
         isPunct(t[k + 1], ".") && t[k + 2].kind == TokKind::kIdent;
}

// The largest expression around t[k] that contains no boundary at its own nesting level.
std::pair<size_t, size_t> atomBounds(const std::vector<Token>& t, size_t k, size_t begin,
                                     size_t end) {
  size_t a = k;
  for (int depth = 0; a > begin; --a) {
    const Token& p = t[a - 1];
    if (isClose(p)) ++depth;
    if (isOpen(p) && depth-- == 0) break;
    if (depth == 0 && isBoundary(p)) break;
  }
  size_t b = k;
  for (int depth = 0; b + 1 < end; ++b) {
    const Token& n = t[b + 1];
    if (isOpen(n)) ++depth;
    if (isClose(n) && depth-- == 0) break;
    if (depth == 0 && isBoundary(n)) break;
  }
  return {a, b};
}

// The member access chain ending at identifier t[i] starts at the pe module.
bool chainFromPe(const std::vector<Token>& t, size_t i, size_t begin) {
  while (i > begin && isPunct(t[i - 1], ".")) {
    if (i < begin + 2) return false;
    size_t j = i - 2;
    int depth = 0;
    while (j > begin && (isClose(t[j]) || depth > 0)) {  // skip an index: sections[i]
      if (isClose(t[j])) ++depth;
      if (isOpen(t[j])) --depth;
      --j;
    }
    if (t[j].kind != TokKind::kIdent) return false;
    i = j;
  }
  return isIdent(t[i], "pe");
}

bool isValueOperator(const Token& t) {
  static const std::set<std::string> kPunct = {"==", "!=", "<", "<=", ">", ">=", "+",  "-", "*",
                                               "\\", "%",  "&", "|",  "^", "~",  "<<", ">>"};
  static const std::set<std::string> kWords = {"contains", "icontains", "startswith", "istartswith",
                                               "endswith", "iendswith", "iequals",    "matches"};
  return (t.kind == TokKind::kPunct && kPunct.count(t.text)) ||
         (t.kind == TokKind::kIdent && kWords.count(t.text));
}

// Integer members, for an atom that is a bare pe path (a string there would not type-check).
bool isIntegerMember(const std::string& member) {
  static const std::set<std::string> kInts = {"imports",
                                              "exports",
                                              "is_dll",
                                              "is_32bit",
                                              "is_64bit",
                                              "number_of_sections",
                                              "number_of_signatures",
                                              "number_of_resources",
                                              "number_of_imports",
                                              "number_of_exports",
                                              "characteristics",
                                              "machine",
                                              "subsystem",
                                              "timestamp",
                                              "entry_point",
                                              "dll_characteristics",
                                              "section_index",
                                              "image_base"};
  return kInts.count(member) > 0;
}

// Every operator of the atom propagates an undefined operand (tested against libyara), every
// call is a pe function, and the atom's type is an integer or a boolean.
bool atomReplaceable(const std::vector<Token>& t, size_t a, size_t b, size_t begin) {
  bool top_operator = false;
  int depth = 0;
  for (size_t i = a; i <= b; ++i) {
    const Token& tok = t[i];
    if (isOpen(tok)) {
      if (isPunct(tok, "(") && i > a && t[i - 1].kind == TokKind::kIdent &&
          !chainFromPe(t, i - 1, begin)) {
        return false;  // a function outside pe: its result on undefined input is its own
      }
      ++depth;
    } else if (isClose(tok)) {
      --depth;
    } else if (isPunct(tok, ",")) {
      if (depth == 0) return false;  // arguments of a pe call only
    } else if (tok.kind == TokKind::kStringId || tok.kind == TokKind::kCountId ||
               tok.kind == TokKind::kOffsetId || tok.kind == TokKind::kLengthId ||
               isBoundary(tok)) {
      return false;
    } else if (isValueOperator(tok)) {
      if (depth == 0) top_operator = true;
    } else if (tok.kind == TokKind::kPunct && !isPunct(tok, ".")) {
      return false;
    }
  }
  if (top_operator) return true;
  // A bare path: `pe.imports("x")`, `pe.number_of_signatures`.
  return isIdent(t[a], "pe") && isIntegerMember(t[a + 2].text) &&
         (b == a + 2 || (isPunct(t[a + 3], "(") && isPunct(t[b], ")")));
}

struct Replacement {
  size_t first;
  size_t last;
  std::string text;
};

void addReplacement(std::vector<Replacement>& out, Replacement r) {
  while (!out.empty() && out.back().first >= r.first) out.pop_back();  // covered by r
  if (!out.empty() && out.back().last >= r.first) return;              // partial overlap
  out.push_back(std::move(r));
}

}  // namespace

namespace {

// The replacements in the condition t[begin, end): each pe sub-expression known undefined.
std::vector<Replacement> findReplacements(const std::vector<Token>& t, size_t begin, size_t end) {
  std::vector<Replacement> repl;
  for (size_t k = begin; k < end; ++k) {
    if (!isPeRef(t, k, begin)) continue;
    const std::string& member = t[k + 2].text;
    if (member == "is_pe") {
      addReplacement(repl, {k, k + 2, "0"});  // the module's value for a non-PE file
      k += 2;
      continue;
    }
    if (!analysis::isPeOnlyMember(member)) continue;
    const auto [a, b] = atomBounds(t, k, begin, end);
    if (!atomReplaceable(t, a, b, begin)) continue;
    addReplacement(repl, {a, b, kUndefined});
    k = b;
  }
  return repl;
}

}  // namespace

Result<Rewrite> rewriteForNonPe(const std::string& rule_text) {
  XIAOAN_ASSIGN_OR_RETURN(std::vector<Token> t, analysis::tokenize(rule_text));
  size_t begin = 0;
  while (begin + 1 < t.size() && !(isIdent(t[begin], "condition") && isPunct(t[begin + 1], ":"))) {
    ++begin;
  }
  if (begin + 2 >= t.size() || !isPunct(t.back(), "}")) {
    return Status(ErrorCode::kRulesInvalid, "not one whole rule");
  }
  begin += 2;
  const size_t end = t.size() - 1;
  const std::vector<Replacement> repl = findReplacements(t, begin, end);
  Rewrite out;
  size_t copied = 0;
  size_t next = 0;
  for (size_t k = begin; k < end; ++k) {
    if (next < repl.size() && repl[next].first == k) {
      out.text.append(rule_text, copied, t[k].begin - copied).append(repl[next].text);
      copied = t[repl[next].last].end;
      k = repl[next++].last;
      continue;
    }
    if (isPeRef(t, k, begin)) out.uses_pe = true;
  }
  out.text.append(rule_text, copied, std::string::npos);
  out.changed = !repl.empty();
  return out;
}

namespace {

bool mzOnly(const analysis::RuleInfo& r) {
  if (r.prefixes.empty()) return false;
  for (const analysis::Prefix& p : r.prefixes) {
    if (!p.starts_with("MZ")) return false;
  }
  return true;
}

// Adds the rules `in` depends on (dependencies are earlier rules: one backward pass).
void closeOverDeps(const analysis::Analysis& a, std::vector<bool>& in) {
  for (size_t i = a.rules.size(); i-- > 0;) {
    if (in[i]) {
      for (uint32_t d : a.rules[i].deps) in[d] = true;
    }
  }
}

// One set's source: the modules its rule texts use, then the texts in compile order.
SetSource emit(const analysis::Analysis& a, const std::vector<bool>& in,
               const std::vector<std::optional<Rewrite>>* rewrites) {
  SetSource out;
  std::set<std::string> modules;
  std::string body;
  for (size_t i = 0; i < a.rules.size(); ++i) {
    if (!in[i]) continue;
    const analysis::RuleInfo& r = a.rules[i];
    const Rewrite* rw = rewrites && (*rewrites)[i] ? &*(*rewrites)[i] : nullptr;
    for (const std::string& m : r.modules) {
      if (m != "pe" || !rw || rw->uses_pe) modules.insert(m);
    }
    body.append(rw ? rw->text : r.text).append("\n\n");
    ++out.rules;
  }
  for (const std::string& m : modules) out.text += "import \"" + m + "\"\n";
  out.text += "\n" + body;
  out.imports_pe = modules.count("pe") > 0;
  return out;
}

}  // namespace

SplitPlan planSplit(const analysis::Analysis& a, const SplitOptions& options) {
  const size_t n = a.rules.size();
  std::vector<bool> in_non_mz(n, false);
  for (size_t i = 0; i < n; ++i) in_non_mz[i] = !mzOnly(a.rules[i]) || a.rules[i].is_global;
  closeOverDeps(a, in_non_mz);

  // Rewritten rules, and rules that reference them, answer in the non-MZ set for non-MZ files
  // only: for an MZ file they are evaluated in the MZ set.
  std::vector<std::optional<Rewrite>> rewrites(n);
  std::vector<bool> untrusted(n, false);
  bool global_untrusted = false;
  SplitPlan plan;
  for (size_t i = 0; i < n; ++i) {
    if (!in_non_mz[i]) continue;
    auto rw = rewriteForNonPe(a.rules[i].text);
    if (rw && rw->changed) rewrites[i] = std::move(*rw);
    untrusted[i] = rewrites[i].has_value();
    for (uint32_t d : a.rules[i].deps) untrusted[i] = untrusted[i] || untrusted[d];
    if (untrusted[i]) plan.untrusted.push_back(a.rules[i].name);
    global_untrusted = global_untrusted || (untrusted[i] && a.rules[i].is_global);
    if (rewrites[i]) ++plan.rewritten;
  }
  plan.non_mz = emit(a, in_non_mz, &rewrites);

  std::vector<bool> in_mz(n, false);
  for (size_t i = 0; i < n; ++i) {
    in_mz[i] = options.whole_for_mz || global_untrusted || !in_non_mz[i] || untrusted[i] ||
               a.rules[i].is_global;
  }
  closeOverDeps(a, in_mz);
  plan.mz = emit(a, in_mz, nullptr);
  plan.mz_is_whole = plan.mz.rules == n;
  if (plan.mz_is_whole) plan.untrusted.clear();
  return plan;
}

}  // namespace xiaoan::sig::split
