#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "platform/result.h"

// Asking the LAN whether another host uses an IPv4 address before taking it (OS seam): the
// address probe of RFC 5227 (ARP requests with sender address 0.0.0.0). Linux: an AF_PACKET
// socket on the interface.

namespace xiaoan {

struct ArpProbeOptions {
  int probes = 3;                               // requests sent
  std::chrono::milliseconds interval{200};      // between them
  std::chrono::milliseconds listen_after{400};  // listening after the last one
};

// Threading: one probe at a time per prober.
class ArpProber {
 public:
  virtual ~ArpProber() = default;
  // Probes `ip` ("10.1.2.37") on interface `index` as `own_mac`. The MAC of another host that
  // answers for the address (or probes for it at the same time), nullopt when nobody does.
  // E_PERMISSION_DENIED without the capability, E_INVALID_ARGUMENT for a malformed address.
  virtual Result<std::optional<std::string>> probe(uint32_t index, const std::string& own_mac,
                                                   const std::string& ip) = 0;
};

std::unique_ptr<ArpProber> makeArpProber(ArpProbeOptions options = {});

}  // namespace xiaoan
