#pragma once

#include <string>
#include <vector>

namespace xiaoan {

// One RFC 4180 CSV line (no line break) of `fields`: a field holding ',', '"', CR or LF is
// quoted, its quotes doubled. Used by the registry export and the CLI's --csv outputs.
std::string csvLine(const std::vector<std::string>& fields);

}  // namespace xiaoan
