#pragma once

#include <string>

#include "platform/error_code.h"

namespace xiaoan::ctl {

// Picks the text for the user's language. Chinese is the product's first language; every
// user-facing string is written in both, side by side, at the place that prints it.
inline std::string tr(Lang lang, const std::string& zh, const std::string& en) {
  return lang == Lang::kZhCn ? zh : en;
}

}  // namespace xiaoan::ctl
