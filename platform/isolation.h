#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"

// Cutting this host off the network except for what must stay reachable (OS seam), for terminals
// that stay out of their IP/MAC binding. Linux: one nftables table, `inet xiaoan_isolation`,
// loaded and removed atomically with `nft -f -`. Nothing else of the host's firewall is touched.

namespace xiaoan {

struct IsolationRules {
  // The collector: its addresses (IPv4 or IPv6 literals) and TCP port stay reachable.
  std::vector<std::string> collector_addresses;
  uint16_t collector_port = 443;
  bool allow_dhcp = false;               // UDP 67/68 both ways
  std::vector<std::string> dns_servers;  // UDP/TCP 53 to these (IPv4 literals); empty = none
};

// Threading: one caller at a time (the binding service; xiaoanctl as a last resort).
class Isolation {
 public:
  virtual ~Isolation() = default;
  // Puts the isolation in place, or replaces it with these rules, in one transaction: loopback,
  // established/related traffic and the rules' exceptions pass, everything else is dropped both
  // ways. E_INVALID_ARGUMENT for an address that is not a literal, E_NOT_FOUND when the
  // firewall tool is missing, E_IO / E_TIMEOUT when it fails.
  virtual Status enter(const IsolationRules& rules) = 0;
  // Removes the isolation; OK when there was none (idempotent).
  virtual Status leave() = 0;
  // Whether the isolation is in place now.
  virtual Result<bool> isActive() const = 0;
};

std::unique_ptr<Isolation> makeIsolation();

// The numeric IPv4 and IPv6 addresses of a host name (or of a literal), IPv4 first, at most 16.
// E_NOT_FOUND when it does not resolve.
Result<std::vector<std::string>> resolveHostAddresses(const std::string& host);

}  // namespace xiaoan
