#pragma once

#include <string>
#include <string_view>

#include "platform/result.h"

namespace xiaoan::collector {

// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(std::string_view data);

// Equality that takes the same time for every pair of equal-length inputs (secrets, hashes).
bool constantTimeEquals(std::string_view a, std::string_view b);

// A random identifier: `bytes` bytes from the OS CSPRNG as lower-case hex.
Result<std::string> randomHexId(size_t bytes);

// Standard base64 (RFC 4648, padded) decoding of at most 4 KiB of input; E_INVALID_ARGUMENT
// when malformed.
Result<std::string> base64Decode(std::string_view text);

// Lower- or upper-case hex to bytes; E_INVALID_ARGUMENT for an odd length or a non-hex digit.
Result<std::string> hexDecode(std::string_view hex);

// Password hashes are "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" so that the cost can
// be raised later without invalidating stored hashes.
inline constexpr unsigned kPbkdf2Iterations = 100'000;
Result<std::string> hashPassword(std::string_view password,
                                 unsigned iterations = kPbkdf2Iterations);

// True when `password` matches `encoded` (constant-time comparison of the derived key).
// A malformed `encoded` never matches.
bool verifyPassword(std::string_view password, std::string_view encoded);

// A random password of `length` characters from an alphabet without look-alikes (0/O, 1/l).
Result<std::string> randomPassword(size_t length);

}  // namespace xiaoan::collector
