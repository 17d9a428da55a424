#include "signatures/rule_analysis_cond.h"

#include <algorithm>
#include <set>

namespace xiaoan::sig::analysis {
namespace {

using Span = std::span<const Token>;

constexpr size_t kMaxAlternatives = 8;

bool isInt(const Token& t) { return t.kind == TokKind::kNumber && t.integral; }

// Index of the parenthesis closing the one at `open`, or npos.
size_t closing(Span s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (isPunct(s[i], "(") || isPunct(s[i], "[")) ++depth;
    if (isPunct(s[i], ")") || isPunct(s[i], "]")) {
      if (--depth == 0) return i;
    }
  }
  return std::string_view::npos;
}

Span stripParens(Span s) {
  while (s.size() >= 2 && isPunct(s.front(), "(") && closing(s, 0) == s.size() - 1) {
    s = s.subspan(1, s.size() - 2);
  }
  return s;
}

// Splits at depth-0 occurrences of the keyword; one part when there is none.
std::vector<Span> splitTop(Span s, std::string_view keyword) {
  std::vector<Span> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (isPunct(s[i], "(") || isPunct(s[i], "[")) ++depth;
    if (isPunct(s[i], ")") || isPunct(s[i], "]")) --depth;
    if (depth == 0 && isIdent(s[i], keyword)) {
      parts.push_back(s.subspan(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.subspan(start));
  return parts;
}

// Two prefix requirements both hold: the longer one, when they agree on the shorter.
std::optional<Prefix> meet(const Prefix& a, const Prefix& b) {
  const Prefix& longer = a.size() >= b.size() ? a : b;
  const Prefix& shorter = a.size() >= b.size() ? b : a;
  if (longer.compare(0, shorter.size(), shorter) != 0) return std::nullopt;
  return longer;
}

Facts intersect(const Facts& a, const Facts& b) {
  Facts out;
  out.min_size = std::max(a.min_size, b.min_size);
  out.max_size = std::min(a.max_size, b.max_size);
  if (!a.prefixes || !b.prefixes) {
    out.prefixes = a.prefixes ? a.prefixes : b.prefixes;
    return out;
  }
  std::vector<Prefix> both;
  for (const Prefix& x : *a.prefixes) {
    for (const Prefix& y : *b.prefixes) {
      if (auto m = meet(x, y)) both.push_back(*m);
    }
  }
  // No common prefix means the rule can never match; keeping one side stays correct.
  if (both.empty() || both.size() > kMaxAlternatives) {
    out.prefixes = a.prefixes;
  } else {
    out.prefixes = std::move(both);
  }
  return out;
}

Facts unite(const Facts& a, const Facts& b) {
  Facts out;
  out.min_size = std::min(a.min_size, b.min_size);
  out.max_size = std::max(a.max_size, b.max_size);
  if (a.prefixes && b.prefixes && a.prefixes->size() + b.prefixes->size() <= kMaxAlternatives) {
    std::vector<Prefix> all = *a.prefixes;
    all.insert(all.end(), b.prefixes->begin(), b.prefixes->end());
    out.prefixes = std::move(all);
  }
  return out;
}

// Bytes of `uintN(0) == value`: N / 8 bytes in the file's byte order.
std::optional<Prefix> readerBytes(const std::string& fn, uint64_t offset, uint64_t value) {
  static const std::map<std::string, std::pair<int, bool>> kReaders = {
      {"uint8", {1, false}},  {"uint16", {2, false}},  {"uint32", {4, false}},
      {"uint8be", {1, true}}, {"uint16be", {2, true}}, {"uint32be", {4, true}}};
  const auto it = kReaders.find(fn);
  if (it == kReaders.end() || offset != 0) return std::nullopt;
  const int n = it->second.first;
  if (n < 8 && value >> (8 * n) != 0) return std::nullopt;  // never equal: leave it alone
  Prefix bytes(static_cast<size_t>(n), '\0');
  for (int i = 0; i < n; ++i) {
    const int shift = it->second.second ? 8 * (n - 1 - i) : 8 * i;
    bytes[static_cast<size_t>(i)] = static_cast<char>((value >> shift) & 0xff);
  }
  return bytes;
}

// `uint16(0) == 0x5a4d` or `0x5a4d == uint16(0)`.
std::optional<Prefix> readerAtom(Span s) {
  if (s.size() == 6 && isInt(s[0]) && isPunct(s[1], "==")) {
    std::vector<Token> flipped(s.begin() + 2, s.end());
    flipped.push_back(s[1]);
    flipped.push_back(s[0]);
    return readerAtom(flipped);
  }
  if (s.size() != 6 || s[0].kind != TokKind::kIdent || !isPunct(s[1], "(") || !isInt(s[2]) ||
      !isPunct(s[3], ")") || !isPunct(s[4], "==") || !isInt(s[5])) {
    return std::nullopt;
  }
  return readerBytes(s[0].text, s[2].number, s[5].number);
}

// `$mz at 0` with a literal $mz.
std::optional<Prefix> atZeroAtom(Span s, const CondContext& ctx) {
  if (s.size() != 3 || s[0].kind != TokKind::kStringId || !isIdent(s[1], "at") || !isInt(s[2]) ||
      s[2].number != 0) {
    return std::nullopt;
  }
  const auto it = ctx.literal_strings.find(s[0].text);
  if (it == ctx.literal_strings.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// `filesize < 100KB` and its mirror; fills the bounds, false when not of that shape.
bool sizeAtom(Span s, Facts& facts) {
  if (s.size() != 3 || s[1].kind != TokKind::kPunct) return false;
  std::string op = s[1].text;
  uint64_t n = 0;
  if (isIdent(s[0], "filesize") && isInt(s[2])) {
    n = s[2].number;
  } else if (isInt(s[0]) && isIdent(s[2], "filesize")) {
    n = s[0].number;
    static const std::map<std::string, std::string> kMirror = {
        {"<", ">"}, {"<=", ">="}, {">", "<"}, {">=", "<="}, {"==", "=="}};
    if (!kMirror.count(op)) return false;
    op = kMirror.at(op);
  } else {
    return false;
  }
  if (op == "<") {
    facts.max_size = n == 0 ? 0 : n - 1;
    if (n == 0) facts.min_size = 1;  // never true: an empty interval
  } else if (op == "<=") {
    facts.max_size = n;
  } else if (op == ">") {
    facts.min_size = n == UINT64_MAX ? n : n + 1;
  } else if (op == ">=") {
    facts.min_size = n;
  } else if (op == "==") {
    facts.min_size = facts.max_size = n;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool isPeOnlyMember(const std::string& member) {
  static const std::set<std::string> kMembers = {"imphash",
                                                 "imports",
                                                 "exports",
                                                 "is_dll",
                                                 "is_32bit",
                                                 "is_64bit",
                                                 "number_of_sections",
                                                 "sections",
                                                 "number_of_signatures",
                                                 "signatures",
                                                 "timestamp",
                                                 "entry_point",
                                                 "machine",
                                                 "characteristics",
                                                 "subsystem",
                                                 "number_of_resources",
                                                 "resources",
                                                 "version_info",
                                                 "dll_characteristics",
                                                 "rich_signature",
                                                 "number_of_imports",
                                                 "number_of_exports",
                                                 "section_index",
                                                 "export_timestamp",
                                                 "linker_version",
                                                 "pdb_path",
                                                 "dll_name",
                                                 "image_base",
                                                 "size_of_image",
                                                 "opthdr_magic",
                                                 "export_details",
                                                 "import_details"};
  return kMembers.count(member) > 0;
}

namespace {

// `pe.is_pe`, `pe.is_pe == 1`, `pe.imports(...)`, `pe.number_of_signatures > 0`,
// `pe.imphash() == "..."`: true only for files the pe module parses, which start with "MZ".
// Accepted only when the expression is false both for an undefined value and for 0 / "".
bool peAtom(Span s) {
  if (s.size() < 3 || !isIdent(s[0], "pe") || !isPunct(s[1], ".") || s[2].kind != TokKind::kIdent) {
    return false;
  }
  const bool is_pe = s[2].text == "is_pe";
  if (!is_pe && !isPeOnlyMember(s[2].text)) return false;
  // The operand: `pe.member` followed by member access, indexing or a call.
  size_t i = 3;
  while (i < s.size()) {
    if (isPunct(s[i], ".") && i + 1 < s.size() && s[i + 1].kind == TokKind::kIdent) {
      i += 2;
    } else if (isPunct(s[i], "(") || isPunct(s[i], "[")) {
      const size_t close = closing(s, i);
      if (close == std::string_view::npos) return false;
      i = close + 1;
    } else {
      break;
    }
  }
  if (i == s.size()) return true;  // bare: undefined and 0 are both false
  if (i + 2 != s.size()) return false;
  const std::string& op = s[i].text;
  const Token& lit = s[i + 1];
  if (s[i].kind == TokKind::kPunct) {
    if (isInt(lit)) {
      return (op == "==" && lit.number != 0) || (op == ">") || (op == ">=" && lit.number > 0);
    }
    return op == "==" && lit.kind == TokKind::kText && !lit.text.empty();
  }
  static const std::set<std::string> kStringOps = {
      "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "iequals"};
  return s[i].kind == TokKind::kIdent && kStringOps.count(op) && lit.kind == TokKind::kText &&
         !lit.text.empty();
}

Facts analyseAtom(Span s, const CondContext& ctx) {
  Facts facts;
  if (sizeAtom(s, facts)) return facts;
  if (auto p = readerAtom(s)) {
    facts.prefixes = std::vector<Prefix>{*p};
  } else if (auto q = atZeroAtom(s, ctx)) {
    facts.prefixes = std::vector<Prefix>{*q};
  } else if (peAtom(s)) {
    facts.prefixes = std::vector<Prefix>{"MZ"};
  } else if (s.size() == 1 && s[0].kind == TokKind::kIdent && ctx.rule_index && ctx.rules) {
    // A bare reference to an earlier rule requires what that rule requires.
    const auto it = ctx.rule_index->find(s[0].text);
    if (it != ctx.rule_index->end()) {
      const RuleInfo& dep = (*ctx.rules)[it->second];
      if (!dep.prefixes.empty()) facts.prefixes = dep.prefixes;
      facts.min_size = dep.min_size;
      facts.max_size = dep.max_size;
    }
  }
  return facts;
}

Facts analyseExpr(Span s, const CondContext& ctx, int depth) {
  s = stripParens(s);
  if (s.empty() || depth > 64) return {};
  const std::vector<Span> disjuncts = splitTop(s, "or");
  if (disjuncts.size() > 1) {
    Facts out = analyseExpr(disjuncts[0], ctx, depth + 1);
    for (size_t i = 1; i < disjuncts.size(); ++i) {
      out = unite(out, analyseExpr(disjuncts[i], ctx, depth + 1));
    }
    return out;
  }
  const std::vector<Span> conjuncts = splitTop(s, "and");
  if (conjuncts.size() > 1) {
    Facts out;
    for (Span c : conjuncts) out = intersect(out, analyseExpr(c, ctx, depth + 1));
    return out;
  }
  return analyseAtom(s, ctx);
}

}  // namespace

Facts analyseCondition(std::span<const Token> cond, const CondContext& ctx) {
  return analyseExpr(cond, ctx, 0);
}

}  // namespace xiaoan::sig::analysis
