#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "platform/error_code.h"
#include "platform/result.h"

namespace xiaoan::collector {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// The language of a command's output: "--lang zh|en" anywhere in `args`, else `env_lang`
// (LC_ALL / LC_MESSAGES / LANG, Simplified Chinese unless English is asked for).
Lang commandLang(const std::vector<std::string>& args, Lang env_lang);

// Width for options_description: Chinese help is never wrapped (Boost wraps at byte counts and
// would cut a character in two), English wraps at Boost's default.
unsigned helpWidth(Lang lang);

// Adds "--help" and "--lang" (the value is taken by commandLang before parsing).
void addCommonOptions(boost::program_options::options_description& desc, Lang lang);

// Prints "xiaoan-collector: E_CODE: <line in lang> (<message>)" and returns kExitFailure.
int fail(const Status& status, Lang lang);

// Parses `args` with `desc`; false (after printing why) on a usage error or --help (which needs
// no required option), with the exit code to return in `exit_code`.
bool parseArgs(const std::vector<std::string>& args,
               const boost::program_options::options_description& desc,
               boost::program_options::variables_map& vm, int& exit_code);

}  // namespace xiaoan::collector
