#pragma once

#include <string>
#include <string_view>

#include "platform/error_code.h"

namespace xiaoan {

// Picks the text for the user's language. Chinese is the product's first language; every
// user-facing string is written in both, side by side, at the place that prints it.
inline std::string tr(Lang lang, std::string_view zh, std::string_view en) {
  return std::string(lang == Lang::kZhCn ? zh : en);
}

}  // namespace xiaoan
