#include "common/naming/name_template.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/text/utf8.h"

namespace xiaoan::naming {
namespace {

constexpr std::array<std::pair<std::string_view, Placeholder>, 6> kNames = {{
    {"school_abbr", Placeholder::kSchoolAbbr},
    {"owner", Placeholder::kOwner},
    {"owner_pinyin", Placeholder::kOwnerPinyin},
    {"owner_initials", Placeholder::kOwnerInitials},
    {"room", Placeholder::kRoom},
    {"seat", Placeholder::kSeat},
}};

constexpr std::string_view kKnownList =
    "{school_abbr}, {owner}, {owner_pinyin}, {owner_initials}, {room}, {seat}, {seat:02}";

bool isAsciiNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

Status invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// The placeholder named by `body` (the text between the braces), or nullopt.
std::optional<TemplatePart> placeholderFor(std::string_view body) {
  for (const auto& [name, p] : kNames) {
    if (body == name) return TemplatePart{p, "", 0};
  }
  // {seat:0N}, N = 1..9
  if (body.size() == 7 && body.substr(0, 5) == "seat:" && body[5] == '0' && body[6] >= '1' &&
      body[6] <= '9') {
    return TemplatePart{Placeholder::kSeat, "", static_cast<unsigned>(body[6] - '0')};
  }
  return std::nullopt;
}

void appendLiteral(NameTemplate& t, std::string_view text) {
  if (t.parts.empty() || t.parts.back().placeholder) t.parts.push_back({});
  t.parts.back().literal.append(text);
}

// Checks one literal character at p[i]; returns its length, or 0 with `why` set.
size_t literalChar(std::string_view p, size_t i, std::string& why) {
  if (isAsciiNameChar(p[i])) return 1;
  if (static_cast<unsigned char>(p[i]) < 0x80) {
    why = "only letters, digits, '-', Chinese characters and placeholders are allowed (found '" +
          std::string(1, p[i]) + "' at byte " + std::to_string(i) + ")";
    return 0;
  }
  char32_t cp = 0;
  size_t len = decodeUtf8(p, i, &cp);
  if (len == 0 || isControlChar(cp) || isBidiControl(cp)) {
    why = "ill-formed UTF-8 or a control character at byte " + std::to_string(i);
    return 0;
  }
  return len;
}

}  // namespace

bool NameTemplate::uses(Placeholder p) const {
  return std::any_of(parts.begin(), parts.end(),
                     [p](const TemplatePart& part) { return part.placeholder == p; });
}

std::string_view placeholderName(Placeholder p) {
  for (const auto& [name, value] : kNames) {
    if (value == p) return name;
  }
  return "";
}

Result<NameTemplate> parseTemplate(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > kMaxTemplateBytes) {
    return invalid("must be 1.." + std::to_string(kMaxTemplateBytes) + " bytes");
  }
  NameTemplate out;
  std::string unknown;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t close = pattern.find('}', i);
      if (close == std::string_view::npos)
        return invalid("'{' without '}' at byte " + std::to_string(i));
      std::string_view body = pattern.substr(i + 1, close - i - 1);
      if (auto part = placeholderFor(body)) {
        out.parts.push_back(std::move(*part));
      } else {
        unknown += (unknown.empty() ? "" : ", ") + std::string(pattern.substr(i, close - i + 1));
      }
      i = close + 1;
      continue;
    }
    std::string why;
    size_t len = literalChar(pattern, i, why);
    if (len == 0) return invalid(why);
    appendLiteral(out, pattern.substr(i, len));
    i += len;
  }
  if (!unknown.empty()) {
    return invalid("unknown placeholder " + unknown + " (use " + std::string(kKnownList) + ")");
  }
  return out;
}

}  // namespace xiaoan::naming
