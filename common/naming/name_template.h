#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

// Naming templates of NamingPolicy.pattern / .fallback (policy.proto): literals and the
// placeholders {school_abbr}, {owner}, {owner_pinyin}, {owner_initials}, {room}, {seat} and
// {seat:0N} (zero-padded to N = 1..9 digits). Parsed once here for the policy validator, the
// agent and the collector, so all three accept the same templates.
namespace xiaoan::naming {

// A template is at most this many bytes (policy.proto).
inline constexpr size_t kMaxTemplateBytes = 64;

enum class Placeholder { kSchoolAbbr, kOwner, kOwnerPinyin, kOwnerInitials, kRoom, kSeat };

// One piece of a template: a placeholder, or literal text (ASCII letters, digits and '-', or
// non-ASCII characters such as Chinese, as UTF-8).
struct TemplatePart {
  std::optional<Placeholder> placeholder;  // nullopt: literal
  std::string literal;
  unsigned seat_width = 0;  // {seat:0N}: N; 0 = no padding

  bool operator==(const TemplatePart&) const = default;
};

struct NameTemplate {
  std::vector<TemplatePart> parts;

  // Whether any part is `p` (e.g. a room template needs a room value).
  bool uses(Placeholder p) const;
};

// Parses `pattern`. E_INVALID_ARGUMENT with one English line saying what is wrong: empty or
// longer than kMaxTemplateBytes, ill-formed UTF-8, a control or bidi character, a character
// other than letters, digits, '-' and non-ASCII, an unterminated '{', or unknown placeholders
// (every one is named, with the list of known ones).
Result<NameTemplate> parseTemplate(std::string_view pattern);

// The placeholder's name as written in templates, e.g. "owner_pinyin" (seat without width).
std::string_view placeholderName(Placeholder p);

}  // namespace xiaoan::naming
