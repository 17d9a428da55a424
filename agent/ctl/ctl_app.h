#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "agent/ctl/ctl_io.h"
#include "platform/error_code.h"

namespace xiaoan::ctl {

// Runs xiaoanctl against the given world and returns the process exit code (exit_code.h):
// parses the global options anywhere on the line, finds the command in the table, enforces
// its declared needs (root, agent config), then runs it.
int runXiaoanctl(const CtlIo& io);

// "--lang" values: zh, zh-CN, zh_CN, en, en-US, ... (case-insensitive); nullopt otherwise.
std::optional<Lang> parseLangOption(std::string_view value);

// The first non-empty of LC_ALL, LC_MESSAGES, LANG: "en*" is English, anything else
// (including unset, "C" and "POSIX") is Simplified Chinese.
Lang langFromEnvironment(const std::map<std::string, std::string>& env);

}  // namespace xiaoan::ctl
