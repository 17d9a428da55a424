#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "signatures/yara/yara_rules.h"

// The per-file external variables of the rules (filename, filepath, extension, filetype,
// owner), built by each scan thread into strings it reuses; owner names are looked up once
// per uid and pass.

namespace xiaoan::agent::scan {

class ExternalsBuilder {
 public:
  const sig::FileExternals& build(std::string_view path, std::string_view name, uint32_t uid);

 private:
  const std::string& owner(uint32_t uid);

  sig::FileExternals ext_;
  std::unordered_map<uint32_t, std::string> owners_;
};

// The extension of a file name as written (after the last dot); empty for none and for
// names whose only dot is the first character (".bashrc").
std::string_view extensionOf(std::string_view name);

}  // namespace xiaoan::agent::scan
