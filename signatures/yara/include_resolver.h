#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

// `include` handling for bundles: include directives name other files of the bundle, relative
// to the including file's directory, and never reach the file system.

namespace xiaoan::sig {

// The bundle name `include_name` refers to when written in `including_file` ("a/b.yar"
// includes "../c.yar" -> "c.yar"). E_INVALID_ARGUMENT for absolute names, backslashes, empty
// names and names that climb above the bundle root.
Result<std::string> resolveIncludeName(std::string_view including_file,
                                       std::string_view include_name);

// The names written in the `include "..."` directives of a YARA source, in order. A small
// lexer that skips comments, text strings and regular expressions the way YARA's does; used
// to tell the files compiled only where they are included from the top-level ones.
std::vector<std::string> includeDirectives(std::string_view text);

}  // namespace xiaoan::sig
