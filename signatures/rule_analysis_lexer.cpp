#include "signatures/rule_analysis_lexer.h"

#include <cctype>

namespace xiaoan::sig::analysis {
namespace {

bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

Status lexError(std::string_view src, size_t at, const std::string& what) {
  return {ErrorCode::kRulesInvalid, "line " + std::to_string(lineOf(src, at)) + ": " + what};
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (true) {
      XIAOAN_RETURN_IF_ERROR(skipSpaceAndComments());
      if (pos_ >= src_.size()) return out;
      Token tok;
      tok.begin = pos_;
      XIAOAN_RETURN_IF_ERROR(lexOne(tok, out.empty() ? nullptr : &out.back()));
      tok.end = pos_;
      out.push_back(std::move(tok));
    }
  }

 private:
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  Status skipSpaceAndComments() {
    while (pos_ < src_.size()) {
      const char c = src_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        const size_t close = src_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) return lexError(src_, pos_, "unterminated comment");
        pos_ = close + 2;
      } else {
        break;
      }
    }
    return Status::ok();
  }

  Status lexOne(Token& tok, const Token* prev) {
    const char c = peek();
    const bool after_assign = prev && prev->kind == TokKind::kPunct && prev->text == "=";
    if (c == '"') return lexText(tok);
    // Comments are skipped already and YARA divides with '\': a '/' starts a regexp, after
    // `=`, `matches` or as a function argument (`pe.imports(/kernel32/i, /Virtual/)`).
    if (c == '/') return lexRegex(tok);
    if (c == '{' && after_assign) return lexHex(tok);
    if (isIdentStart(c)) return lexIdent(tok);
    if (isDigit(c)) return lexNumber(tok);
    if (c == '$' || c == '#' || c == '@' || (c == '!' && peek(1) != '=')) return lexStringRef(tok);
    return lexPunct(tok);
  }

  Status lexIdent(Token& tok) {
    const size_t start = pos_;
    while (isIdentChar(peek())) ++pos_;
    tok.kind = TokKind::kIdent;
    tok.text = std::string(src_.substr(start, pos_ - start));
    return Status::ok();
  }

  Status lexStringRef(Token& tok) {
    const char sigil = src_[pos_++];
    const size_t start = pos_;
    while (isIdentChar(peek())) ++pos_;
    if (sigil == '$' && peek() == '*') ++pos_;
    tok.kind = sigil == '$'   ? TokKind::kStringId
               : sigil == '#' ? TokKind::kCountId
               : sigil == '@' ? TokKind::kOffsetId
                              : TokKind::kLengthId;
    tok.text = std::string(1, sigil) + std::string(src_.substr(start, pos_ - start));
    return Status::ok();
  }

  Status lexNumber(Token& tok);
  Status lexText(Token& tok);
  Status lexRegex(Token& tok);
  Status lexHex(Token& tok);
  Status lexPunct(Token& tok);

  std::string_view src_;
  size_t pos_ = 0;
};

Status Lexer::lexNumber(Token& tok) {
  const size_t start = pos_;
  tok.kind = TokKind::kNumber;
  int base = 10;
  if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) base = 16;
  if (peek() == '0' && peek(1) == 'o') base = 8;
  if (base != 10) pos_ += 2;
  uint64_t value = 0;
  bool overflow = false;
  while (hexValue(peek()) >= 0 && hexValue(peek()) < base) {
    const uint64_t next = value * static_cast<uint64_t>(base) + hexValue(peek());
    if (next / static_cast<uint64_t>(base) != value) overflow = true;
    value = next;
    ++pos_;
  }
  tok.integral = !overflow;
  if (base == 10 && peek() == '.' && isDigit(peek(1))) {  // float; never a gate operand
    ++pos_;
    while (isDigit(peek())) ++pos_;
    tok.integral = false;
  } else if (peek() == 'K' && peek(1) == 'B') {
    pos_ += 2;
    tok.integral = tok.integral && value <= (UINT64_MAX >> 10);
    value <<= 10;
  } else if (peek() == 'M' && peek(1) == 'B') {
    pos_ += 2;
    tok.integral = tok.integral && value <= (UINT64_MAX >> 20);
    value <<= 20;
  }
  if (isIdentChar(peek())) return lexError(src_, start, "malformed number");
  tok.number = value;
  tok.text = std::string(src_.substr(start, pos_ - start));
  return Status::ok();
}

Status Lexer::lexText(Token& tok) {
  const size_t start = pos_++;
  tok.kind = TokKind::kText;
  while (true) {
    if (pos_ >= src_.size() || src_[pos_] == '\n') {
      return lexError(src_, start, "unterminated string");
    }
    const char c = src_[pos_++];
    if (c == '"') return Status::ok();
    if (c != '\\') {
      tok.text.push_back(c);
      continue;
    }
    const char e = peek();
    ++pos_;
    if (e == 'x' && hexValue(peek()) >= 0 && hexValue(peek(1)) >= 0) {
      tok.text.push_back(static_cast<char>(hexValue(peek()) * 16 + hexValue(peek(1))));
      pos_ += 2;
    } else if (e == 'n' || e == 't' || e == 'r' || e == '"' || e == '\\') {
      tok.text.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
    } else {
      return lexError(src_, start, "unknown escape in string");
    }
  }
}

Status Lexer::lexRegex(Token& tok) {
  const size_t start = pos_++;
  tok.kind = TokKind::kRegex;
  // As YARA's own lexer: the first unescaped '/' ends the regex, classes included.
  while (true) {
    if (pos_ >= src_.size() || src_[pos_] == '\n') {
      return lexError(src_, start, "unterminated regular expression");
    }
    const char c = src_[pos_++];
    if (c == '/') break;
    if (c == '\\') {
      if (pos_ >= src_.size() || src_[pos_] == '\n') {
        return lexError(src_, start, "unterminated regular expression");
      }
      ++pos_;
    }
  }
  while (peek() == 'i' || peek() == 's') ++pos_;
  tok.text = std::string(src_.substr(start, pos_ - start));
  return Status::ok();
}

Status Lexer::lexHex(Token& tok) {
  const size_t start = pos_++;
  tok.kind = TokKind::kHex;
  std::string inside;
  while (true) {
    if (pos_ >= src_.size()) return lexError(src_, start, "unterminated hex string");
    const char c = src_[pos_];
    if (c == '}') break;
    if (c == '/' && (peek(1) == '/' || peek(1) == '*')) {
      XIAOAN_RETURN_IF_ERROR(skipSpaceAndComments());
      continue;
    }
    const bool allowed = hexValue(c) >= 0 || c == '?' || c == '[' || c == ']' || c == '-' ||
                         c == '(' || c == ')' || c == '|' || c == '~' ||
                         std::isspace(static_cast<unsigned char>(c)) || isDigit(c);
    if (!allowed) return lexError(src_, pos_, "unexpected character in hex string");
    inside.push_back(c);
    ++pos_;
  }
  ++pos_;
  tok.text = std::move(inside);
  return Status::ok();
}

Status Lexer::lexPunct(Token& tok) {
  static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "<<", ">>", ".."};
  tok.kind = TokKind::kPunct;
  for (std::string_view two : kTwo) {
    if (src_.substr(pos_, 2) == two) {
      tok.text = std::string(two);
      pos_ += 2;
      return Status::ok();
    }
  }
  static constexpr std::string_view kOne = "(){}[],:.=<>+-*\\%&|^~";
  if (kOne.find(peek()) == std::string_view::npos) {
    return lexError(src_, pos_, std::string("unexpected character '") + peek() + "'");
  }
  tok.text = std::string(1, src_[pos_++]);
  return Status::ok();
}

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view src) { return Lexer(src).run(); }

uint32_t lineOf(std::string_view src, size_t offset) {
  uint32_t line = 1;
  for (size_t i = 0; i < offset && i < src.size(); ++i) {
    if (src[i] == '\n') ++line;
  }
  return line;
}

}  // namespace xiaoan::sig::analysis
