#include "signatures/rule_split.h"

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

NonMzPlan planNonMz(const analysis::Analysis& a) {
  const size_t n = a.rules.size();
  std::vector<bool> in(n, false);
  for (size_t i = 0; i < n; ++i) {
    const analysis::RuleInfo& r = a.rules[i];
    bool mz_only = !r.prefixes.empty();
    for (const analysis::Prefix& p : r.prefixes) mz_only = mz_only && p.starts_with("MZ");
    in[i] = !mz_only || r.is_global;
  }
  for (size_t i = n; i-- > 0;) {  // dependencies are earlier rules: one backward pass
    if (in[i]) {
      for (uint32_t d : a.rules[i].deps) in[d] = true;
    }
  }
  NonMzPlan plan;
  std::set<std::string> modules;
  std::string body;
  for (size_t i = 0; i < n; ++i) {
    if (!in[i]) continue;
    const analysis::RuleInfo& r = a.rules[i];
    auto rw = rewriteForNonPe(r.text);
    const bool changed = rw && rw->changed;
    const bool keeps_pe = rw ? rw->uses_pe : true;
    for (const std::string& m : r.modules) {
      if (m != "pe" || keeps_pe) modules.insert(m);
    }
    body.append(changed ? rw->text : r.text).append("\n\n");
    ++plan.rules;
    if (changed) ++plan.rewritten;
  }
  for (const std::string& m : modules) plan.source += "import \"" + m + "\"\n";
  plan.source += "\n" + body;
  plan.imports_pe = modules.count("pe") > 0;
  return plan;
}

}  // namespace xiaoan::sig::split
