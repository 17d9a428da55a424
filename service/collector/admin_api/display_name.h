#pragma once

#include <cstddef>
#include <string_view>

#include "platform/error_code.h"
#include "platform/result.h"

namespace xiaoan::collector {

// What a display name typed by an admin (school name, room, abbreviation, token note) may
// hold. These names reach tables in xiaoan-admin and the console, URLs ("school_id/room"),
// audit records and file names of exports, so they must read as what they are.
struct DisplayNameRule {
  std::string_view zh_what;  // "学校名称": how the messages name the field
  std::string_view en_what;  // "school name"
  size_t max_bytes = 128;
  bool required = true;     // "" refused
  bool allow_slash = true;  // room names become the last segment of a layer id
};

inline constexpr DisplayNameRule kSchoolNameRule{"学校名称", "school name", 128, true, true};
inline constexpr DisplayNameRule kSchoolAbbrRule{"学校简称", "school abbr", 32, false, true};
inline constexpr DisplayNameRule kRoomNameRule{"机房名称", "room name", 64, true, false};
inline constexpr DisplayNameRule kTokenNoteRule{"令牌备注", "token note", 256, false, true};

// OK, or E_INVALID_ARGUMENT whose message (zh or en, never quoting the name) says what is
// wrong: empty, too long, invalid UTF-8, a control character (NUL, line breaks, ...), a bidi
// control (U+202A..U+202E, U+2066..U+2069, U+200E/F, U+061C), "..", '/' where not allowed, or
// blanks at either end.
Status checkDisplayName(std::string_view name, const DisplayNameRule& rule, Lang lang);

}  // namespace xiaoan::collector
