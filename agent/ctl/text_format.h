#pragma once

#include <cstdint>
#include <string>

#include "platform/error_code.h"

// Numbers as xiaoanctl shows them to people.

namespace xiaoan::ctl {

// "512 B", "1.5 KiB", "256 MiB".
std::string formatBytes(uint64_t n);

// A short duration: "42 秒" / "42 s", "3 分 5 秒" / "3 min 5 s", "2 小时 10 分" / "2 h 10 min".
std::string formatDuration(uint64_t seconds, Lang lang);

}  // namespace xiaoan::ctl
