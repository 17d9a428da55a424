#include "signatures/yara/include_resolver.h"

#include <cctype>

namespace xiaoan::sig {
namespace {

bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Index just past a quoted or slash-delimited token starting at `i` (the opening delimiter);
// a backslash escapes the next character; a newline ends an unterminated token.
size_t skipDelimited(std::string_view t, size_t i, char close) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == close || t[i] == '\n') {
      return i + 1;
    }
  }
  return t.size();
}

size_t skipComment(std::string_view t, size_t i) {
  if (t[i + 1] == '/') {
    size_t end = t.find('\n', i);
    return end == std::string_view::npos ? t.size() : end;
  }
  size_t end = t.find("*/", i + 2);
  return end == std::string_view::npos ? t.size() : end + 2;
}

// When `include` starts at `i`: the directive's name, and `*next` past it.
bool matchInclude(std::string_view t, size_t i, std::string* name, size_t* next) {
  constexpr std::string_view kWord = "include";
  if (t.substr(i, kWord.size()) != kWord) return false;
  if (i > 0 && (isIdentChar(t[i - 1]) || t[i - 1] == '$' || t[i - 1] == '#' || t[i - 1] == '@' ||
                t[i - 1] == '!' || t[i - 1] == '.')) {
    return false;
  }
  size_t j = i + kWord.size();
  size_t ws = j;
  while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
  if (j == ws || j >= t.size() || t[j] != '"') return false;
  size_t end = t.find('"', j + 1);
  if (end == std::string_view::npos) return false;
  *name = std::string(t.substr(j + 1, end - j - 1));
  *next = end + 1;
  return true;
}

}  // namespace

Result<std::string> resolveIncludeName(std::string_view including_file,
                                       std::string_view include_name) {
  if (include_name.empty() || include_name.front() == '/' ||
      include_name.find('\\') != std::string_view::npos) {
    return Status(ErrorCode::kInvalidArgument,
                  "include \"" + std::string(include_name) + "\" is not a relative bundle name");
  }
  std::vector<std::string_view> parts;
  size_t slash = including_file.rfind('/');
  std::string_view dir =
      slash == std::string_view::npos ? std::string_view() : including_file.substr(0, slash);
  std::string joined = std::string(dir) + (dir.empty() ? "" : "/") + std::string(include_name);
  std::string_view rest = joined;
  while (!rest.empty()) {
    size_t cut = rest.find('/');
    std::string_view seg = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg != "..") {
      parts.push_back(seg);
    } else if (parts.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    "include \"" + std::string(include_name) + "\" leaves the bundle");
    } else {
      parts.pop_back();
    }
  }
  std::string out;
  for (std::string_view p : parts) out.append(out.empty() ? "" : "/").append(p);
  if (out.empty()) return Status(ErrorCode::kInvalidArgument, "include names a directory");
  return out;
}

std::vector<std::string> includeDirectives(std::string_view t) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    std::string name;
    size_t next = 0;
    if (c == '/' && i + 1 < t.size() && (t[i + 1] == '/' || t[i + 1] == '*')) {
      i = skipComment(t, i);
    } else if (c == '"' || c == '/') {
      i = skipDelimited(t, i, c);
    } else if (c == 'i' && matchInclude(t, i, &name, &next)) {
      out.push_back(std::move(name));
      i = next;
    } else {
      ++i;
    }
  }
  return out;
}

}  // namespace xiaoan::sig
