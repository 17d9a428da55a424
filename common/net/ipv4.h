#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xiaoan::net {

// Parses a dotted-quad IPv4 address ("10.1.2.3": four decimal parts 0..255, no leading
// zeros, nothing else) into host byte order. nullopt for anything else.
std::optional<uint32_t> parseIpv4(std::string_view text);

// "10.1.2.3" of a host-order address.
std::string formatIpv4(uint32_t address);

}  // namespace xiaoan::net
