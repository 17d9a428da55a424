#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"

// The network configuration of this host (OS seam): interfaces with their current and permanent
// hardware addresses, IPv4 addresses, the default IPv4 gateway and the DNS servers, plus a
// notification when any of them changes. Linux: rtnetlink dumps (RTM_GETLINK, RTM_GETADDR,
// RTM_GETROUTE), the permanent MAC from IFLA_PERM_ADDRESS or the ethtool ioctl, DNS from
// /etc/resolv.conf, changes from the RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE groups.

namespace xiaoan {

// Bounds on what one snapshot holds; what the OS reports beyond them is left out.
inline constexpr size_t kMaxInterfaces = 256;
inline constexpr size_t kMaxAddressesPerInterface = 64;
inline constexpr size_t kMaxDnsServers = 8;
inline constexpr size_t kMaxResolvConfBytes = 64 * 1024;

struct InterfaceFacts {
  std::string name;
  std::string mac;  // current hardware address "aa:bb:cc:dd:ee:ff", empty when none
  // Burned-in address when the OS knows one (IFLA_PERM_ADDRESS / ethtool); empty otherwise
  // (virtual NICs, drivers that do not say).
  std::string permanent_mac;
  std::vector<std::string> ipv4;  // CIDR, e.g. "10.1.2.3/24", in the order the OS lists them
  bool up = false;
  bool loopback = false;
  uint32_t index = 0;  // OS interface index (0 = unknown)
};

struct NetworkSnapshot {
  std::vector<InterfaceFacts> interfaces;  // by index
  // Default IPv4 route of the main table with the lowest metric: its gateway ("10.1.2.1";
  // empty for a device route or none) and interface (0 = no default route).
  std::string gateway;
  uint32_t gateway_index = 0;
  // Nameservers in the resolver configuration, IPv4 only, in order, at most kMaxDnsServers.
  std::vector<std::string> dns;
};

// Threading: snapshot() may be called from any thread.
class NetworkInfo {
 public:
  virtual ~NetworkInfo() = default;
  // The configuration now. E_IO when the interface list cannot be read; a missing or unreadable
  // resolver file only leaves `dns` empty.
  virtual Result<NetworkSnapshot> snapshot() const = 0;
};

struct NetworkInfoOptions {
  std::string resolv_conf = "/etc/resolv.conf";
};

// The implementation for the OS this binary was built for.
std::unique_ptr<NetworkInfo> makeNetworkInfo(NetworkInfoOptions options = {});

// Wakes a waiter when links, IPv4 addresses or IPv4 routes change.
// Threading: wait() by one thread at a time; wake() from any thread.
class NetworkChangeWatcher {
 public:
  virtual ~NetworkChangeWatcher() = default;
  // Waits up to `timeout` (or until wake()) for a change. True when the network changed (the
  // notifications are drained; a lost notification because the OS queue overflowed counts as a
  // change), false after a timeout or a wake. E_IO when the OS facility fails.
  virtual Result<bool> wait(std::chrono::milliseconds timeout) = 0;
  // Ends a wait() in progress at once, or else the next one.
  virtual void wake() = 0;
};

// E_IO (E_PERMISSION_DENIED) when the notification socket cannot be opened.
Result<std::unique_ptr<NetworkChangeWatcher>> makeNetworkChangeWatcher();

}  // namespace xiaoan
