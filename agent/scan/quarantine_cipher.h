#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/file.h"
#include "platform/result.h"

// The quarantine file format: "XAQ1" | 12-byte random IV | AES-256-GCM ciphertext | 16-byte
// tag, with the entry id as additional authenticated data (an entry's file cannot be swapped
// for another's). Streams in fixed chunks: memory stays bounded whatever the file size.

namespace xiaoan::agent::scan {

inline constexpr size_t kQuarantineKeyBytes = 32;

struct StreamDigest {
  uint64_t bytes = 0;  // plaintext bytes
  std::string sha256;  // of the plaintext, 32 raw bytes
};

// Reads `in` from offset 0 to its end, writes the encrypted form to `out` (at its position).
// E_IO / E_CRYPTO.
Result<StreamDigest> encryptStream(const File& in, File& out, std::string_view key,
                                   std::string_view aad);

// Decrypts the whole of `in` (a regular file, read from offset 0) into `out` (at its
// position). E_QUARANTINE when the data is not authentic (wrong key, tampered, truncated):
// `out` then holds unauthenticated bytes the caller must discard.
Result<StreamDigest> decryptStream(const File& in, File& out, std::string_view key,
                                   std::string_view aad);

}  // namespace xiaoan::agent::scan
