#include "signatures/rule_analysis.h"

#include <map>
#include <set>

#include "signatures/rule_analysis_cond.h"
#include "signatures/rule_analysis_lexer.h"
#include "signatures/yara/include_resolver.h"

namespace xiaoan::sig::analysis {
namespace {

constexpr int kMaxIncludeDepth = 16;

// Exact bytes a literal string matches with (text or hex without wildcards), or nullopt.
std::optional<std::string> literalBytes(const Token& value, const std::vector<Token>& mods) {
  for (const Token& m : mods) {
    if (!isIdent(m, "ascii") && !isIdent(m, "fullword") && !isIdent(m, "private")) {
      return std::nullopt;
    }
  }
  if (value.kind == TokKind::kText) return value.text;
  if (value.kind != TokKind::kHex) return std::nullopt;
  std::string bytes;
  std::string digits;
  for (char c : value.text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) break;  // wildcard, jump, alternative
    digits.push_back(c);
    if (digits.size() == 2) {
      bytes.push_back(static_cast<char>(std::stoi(digits, nullptr, 16)));
      digits.clear();
    }
  }
  return bytes;
}

// Line numbers of increasing offsets in one text, counted once (not from the start each time).
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  uint32_t at(size_t offset) {
    for (; pos_ < offset && pos_ < text_.size(); ++pos_) {
      if (text_[pos_] == '\n') ++line_;
    }
    return line_;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
};

class Parser {
 public:
  explicit Parser(const std::vector<RuleSource>& sources) {
    for (const RuleSource& s : sources) by_name_[s.name] = &s;
  }

  // As compileRules: sources no other source includes are compiled in order; an included
  // one where it is included.
  Result<Analysis> run(const std::vector<RuleSource>& sources) {
    std::set<std::string> included;
    for (const RuleSource& s : sources) {
      for (const std::string& name : includeDirectives(s.text)) {
        if (auto resolved = resolveIncludeName(s.name, name)) included.insert(*resolved);
      }
    }
    for (const RuleSource& s : sources) {
      if (!included.count(s.name)) XIAOAN_RETURN_IF_ERROR(parseFile(s, 0));
    }
    return std::move(out_);
  }

 private:
  Status parseFile(const RuleSource& src, int depth);
  Status parseRule(const RuleSource& src, const std::vector<Token>& toks, size_t& i,
                   LineCounter& lines);
  Status parseStrings(const std::vector<Token>& toks, size_t& i, CondContext& ctx);
  void describeCondition(std::span<const Token> cond, const CondContext& ctx, RuleInfo& rule);

  Status fail(const RuleSource& src, const Token& at, const std::string& what) {
    return {ErrorCode::kRulesInvalid,
            src.name + ":" + std::to_string(lineOf(src.text, at.begin)) + ": " + what};
  }

  std::map<std::string, const RuleSource*> by_name_;
  std::map<std::string, uint32_t> rule_index_;
  std::set<std::string> imported_;  // modules imported so far (`x.` of anything else: a variable)
  Analysis out_;
};

Status Parser::parseFile(const RuleSource& src, int depth) {
  if (depth > kMaxIncludeDepth) return {ErrorCode::kRulesInvalid, src.name + ": includes too deep"};
  auto toks = tokenize(src.text);
  if (!toks) return {ErrorCode::kRulesInvalid, src.name + ": " + toks.status().message()};
  const std::vector<Token>& t = *toks;
  LineCounter lines(src.text);
  size_t i = 0;
  while (i < t.size()) {
    if ((isIdent(t[i], "import") || isIdent(t[i], "include")) && i + 1 < t.size() &&
        t[i + 1].kind == TokKind::kText) {
      if (isIdent(t[i], "import")) imported_.insert(t[i + 1].text);
      if (isIdent(t[i], "include")) {
        auto name = resolveIncludeName(src.name, t[i + 1].text);
        const auto it = name ? by_name_.find(*name) : by_name_.end();
        if (it == by_name_.end()) return fail(src, t[i], "include of an unknown file");
        XIAOAN_RETURN_IF_ERROR(parseFile(*it->second, depth + 1));
      }
      i += 2;
      continue;
    }
    XIAOAN_RETURN_IF_ERROR(parseRule(src, t, i, lines));
  }
  return Status::ok();
}

Status Parser::parseRule(const RuleSource& src, const std::vector<Token>& t, size_t& i,
                         LineCounter& lines) {
  RuleInfo rule;
  const size_t first = i;
  for (; i < t.size() && (isIdent(t[i], "private") || isIdent(t[i], "global")); ++i) {
    (t[i].text == "private" ? rule.is_private : rule.is_global) = true;
  }
  if (i + 1 >= t.size() || !isIdent(t[i], "rule") || t[i + 1].kind != TokKind::kIdent) {
    return fail(src, t[std::min(i, t.size() - 1)], "expected a rule");
  }
  rule.name = t[i + 1].text;
  i += 2;
  while (i < t.size() && !isPunct(t[i], "{")) ++i;  // tags
  if (i >= t.size()) return fail(src, t[first], "rule without a body");
  ++i;
  CondContext ctx;
  ctx.rule_index = &rule_index_;
  ctx.rules = &out_.rules;
  if (i < t.size() && isIdent(t[i], "meta")) {
    while (i < t.size() && !isIdent(t[i], "strings") && !isIdent(t[i], "condition")) ++i;
  }
  if (i < t.size() && isIdent(t[i], "strings")) XIAOAN_RETURN_IF_ERROR(parseStrings(t, i, ctx));
  if (i + 1 >= t.size() || !isIdent(t[i], "condition") || !isPunct(t[i + 1], ":")) {
    return fail(src, t[first], "rule " + rule.name + ": expected condition");
  }
  const size_t cond_begin = i + 2;
  size_t end = cond_begin;
  while (end < t.size() && !isPunct(t[end], "}")) ++end;
  if (end >= t.size() || isPunct(t[end - 1], ":")) return fail(src, t[first], "unterminated rule");
  describeCondition(std::span<const Token>(t).subspan(cond_begin, end - cond_begin), ctx, rule);
  rule.text = src.text.substr(t[first].begin, t[end].end - t[first].begin);
  rule.file = src.name;
  rule.line = lines.at(t[first].begin);
  i = end + 1;
  rule_index_[rule.name] = static_cast<uint32_t>(out_.rules.size());
  out_.rules.push_back(std::move(rule));
  return Status::ok();
}

// `$id = value modifiers...` until `condition`; records literal strings for `$x at 0`.
Status Parser::parseStrings(const std::vector<Token>& t, size_t& i, CondContext& ctx) {
  i += 2;  // "strings" ":"
  while (i + 2 < t.size() && t[i].kind == TokKind::kStringId && isPunct(t[i + 1], "=")) {
    const std::string id = t[i].text;
    const Token& value = t[i + 2];
    i += 3;
    std::vector<Token> mods;
    while (i < t.size() && t[i].kind != TokKind::kStringId && !isIdent(t[i], "condition")) {
      mods.push_back(t[i++]);
    }
    if (auto bytes = literalBytes(value, mods)) ctx.literal_strings[id] = *bytes;
  }
  return Status::ok();
}

void Parser::describeCondition(std::span<const Token> cond, const CondContext& ctx,
                               RuleInfo& rule) {
  static const std::set<std::string> kExternals(std::begin(kExternalNames),
                                                std::end(kExternalNames));
  std::set<uint32_t> deps;
  std::set<std::string> modules;
  for (size_t k = 0; k < cond.size(); ++k) {
    const Token& tok = cond[k];
    if (tok.kind == TokKind::kCountId || tok.kind == TokKind::kOffsetId ||
        tok.kind == TokKind::kLengthId || isIdent(tok, "at") || isIdent(tok, "in")) {
      rule.locates_strings = true;
    }
    if (tok.kind != TokKind::kIdent || (k > 0 && isPunct(cond[k - 1], "."))) continue;
    // `s.name` in `for any s in pe.sections : (...)` is a loop variable, not a module.
    if (k + 1 < cond.size() && isPunct(cond[k + 1], ".") && imported_.count(tok.text)) {
      modules.insert(tok.text);
    }
    if (kExternals.count(tok.text)) rule.uses_externals = true;
    const auto it = rule_index_.find(tok.text);
    if (it != rule_index_.end()) deps.insert(it->second);
  }
  rule.deps.assign(deps.begin(), deps.end());
  rule.modules.assign(modules.begin(), modules.end());
  const Facts facts = analyseCondition(cond, ctx);
  if (facts.prefixes) rule.prefixes = *facts.prefixes;
  rule.min_size = facts.min_size;
  rule.max_size = facts.max_size;
}

}  // namespace

Result<Analysis> analyse(const std::vector<RuleSource>& sources) {
  return Parser(sources).run(sources);
}

bool prefixAllows(const std::vector<Prefix>& prefixes, std::string_view file_start) {
  if (prefixes.empty()) return true;
  for (const Prefix& p : prefixes) {
    if (file_start.size() >= p.size() && file_start.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

}  // namespace xiaoan::sig::analysis
