#include "agent/scan/scan_externals.h"

#include "agent/scan/path_text.h"

namespace xiaoan::agent::scan {
namespace {

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char asciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

std::string_view extensionOf(std::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

const std::string& ExternalsBuilder::owner(uint32_t uid) {
  auto it = owners_.find(uid);
  if (it == owners_.end()) it = owners_.emplace(uid, ownerName(uid)).first;
  return it->second;
}

const sig::FileExternals& ExternalsBuilder::build(std::string_view path, std::string_view name,
                                                  uint32_t uid) {
  ext_.filename.assign(name);
  ext_.filepath.assign(path);
  std::string_view ext = extensionOf(name);
  ext_.extension.resize(ext.size());
  ext_.filetype.resize(ext.size());
  for (size_t i = 0; i < ext.size(); ++i) {
    ext_.extension[i] = asciiLower(ext[i]);
    ext_.filetype[i] = asciiUpper(ext[i]);
  }
  ext_.owner.assign(owner(uid));
  return ext_;
}

}  // namespace xiaoan::agent::scan
