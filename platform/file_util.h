#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan {

// Reads a whole file, refusing files larger than max_bytes (E_TOO_LARGE).
Result<std::string> readFile(const std::string& path, size_t max_bytes);

// Replaces `path` atomically and durably: write a temp file in the same directory,
// fsync it, rename over the target, fsync the directory. Readers see old or new, never half.
Status atomicWriteFile(const std::string& path, std::string_view data, unsigned mode = 0600);

// mkdir -p with the given mode for directories it creates.
Status makeDirs(const std::string& path, unsigned mode = 0755);

// fsync a directory (after creating/renaming/unlinking entries in it).
Status fsyncDir(const std::string& dir);

// Random bytes from the OS CSPRNG.
Result<std::string> randomBytes(size_t n);

// Lower-case hex of bytes.
std::string toHex(std::string_view bytes);

}  // namespace xiaoan
