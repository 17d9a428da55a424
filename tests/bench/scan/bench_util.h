#pragma once

// Helpers shared by the scan benchmark programs.

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "signatures/yara/yara_rules.h"

namespace xiaoan::bench {

// Every *.yar / *.yara below `dir`, named by its path relative to `dir`, sorted by name (as a
// bundle directory is read).
inline std::vector<sig::RuleSource> loadRuleDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<sig::RuleSource> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    if (!e.is_regular_file() || (ext != ".yar" && ext != ".yara")) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::ostringstream text;
    text << f.rdbuf();
    out.push_back({fs::relative(e.path(), dir).generic_string(), text.str()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

// Resident set size now, in MB.
inline double residentMb() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1e6;
}

}  // namespace xiaoan::bench
