#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace xiaoan::arp {

using Mac = std::array<uint8_t, 6>;

// The 28-byte Ethernet/IPv4 ARP request of an RFC 5227 probe: sender `own`, sender address
// 0.0.0.0, target `ip` (network byte order).
std::array<uint8_t, 28> probePacket(const Mac& own, uint32_t ip);

// Whether a received ARP packet shows another host on `ip` (network byte order): a request or
// reply whose sender address is `ip`, or a probe for `ip` (sender 0.0.0.0), sent by a MAC other
// than `own`. That MAC as "aa:bb:…", else nullopt. Anything short, not Ethernet/IPv4 or of
// another operation is ignored.
std::optional<std::string> conflictIn(const uint8_t* data, size_t len, uint32_t ip, const Mac& own);

// "aa:bb:cc:dd:ee:ff" -> bytes; nullopt when malformed.
std::optional<Mac> parseMac(const std::string& text);

}  // namespace xiaoan::arp
