#include "service/collector/admin_api/display_name.h"

#include <string>

#include "common/text/tr.h"
#include "common/text/utf8.h"

namespace xiaoan::collector {
namespace {

enum class Flaw { kNone, kControl, kBidi, kInvalidUtf8 };

// The first character-level flaw of `name`.
Flaw characterFlaw(std::string_view name) {
  for (size_t i = 0; i < name.size();) {
    char32_t c = 0;
    const size_t len = decodeUtf8(name, i, &c);
    if (len == 0) return Flaw::kInvalidUtf8;
    if (isControlChar(c)) return Flaw::kControl;
    if (isBidiControl(c)) return Flaw::kBidi;
    i += len;
  }
  return Flaw::kNone;
}

Status refuse(const DisplayNameRule& rule, Lang lang, std::string_view zh, std::string_view en) {
  return Status(ErrorCode::kInvalidArgument, tr(lang, std::string(rule.zh_what) + std::string(zh),
                                                std::string(rule.en_what) + " " + std::string(en)));
}

Status characterStatus(Flaw flaw, const DisplayNameRule& rule, Lang lang) {
  switch (flaw) {
    case Flaw::kInvalidUtf8:
      return refuse(rule, lang, "不是有效的 UTF-8 文本", "is not valid UTF-8");
    case Flaw::kControl:
      return refuse(rule, lang, "不能包含控制字符（如 NUL、换行、制表符）",
                    "must not contain control characters (NUL, line breaks, tabs, ...)");
    case Flaw::kBidi:
      return refuse(rule, lang, "不能包含改变文字方向的字符（U+202A–U+202E、U+2066–U+2069 等）",
                    "must not contain bidirectional control characters (U+202A-U+202E, "
                    "U+2066-U+2069, ...)");
    default:
      return Status::ok();
  }
}

}  // namespace

Status checkDisplayName(std::string_view name, const DisplayNameRule& rule, Lang lang) {
  if (name.empty()) {
    return rule.required ? refuse(rule, lang, "不能为空", "must not be empty") : Status::ok();
  }
  if (name.size() > rule.max_bytes) {
    const std::string max = std::to_string(rule.max_bytes);
    return refuse(rule, lang, "最长 " + max + " 字节（一个汉字占 3 字节）",
                  "is longer than " + max + " bytes");
  }
  XIAOAN_RETURN_IF_ERROR(characterStatus(characterFlaw(name), rule, lang));
  if (name.find("..") != std::string_view::npos) {
    return refuse(rule, lang, "不能包含“..”", "must not contain \"..\"");
  }
  if (!rule.allow_slash && name.find('/') != std::string_view::npos) {
    return refuse(rule, lang, "不能包含“/”", "must not contain '/'");
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return refuse(rule, lang, "首尾不能有空格", "must not begin or end with a blank");
  }
  return Status::ok();
}

}  // namespace xiaoan::collector
