#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/result.h"

// Changing the IPv4 configuration (OS seam), for putting a terminal's assigned address back.
// Linux: rtnetlink for the running configuration (takes effect at once); NetworkManager (nmcli),
// systemd-networkd (a .network file + networkctl) or ifupdown (/etc/network/interfaces) for the
// configuration that survives a reboot when one of them manages the interface; /etc/resolv.conf
// for DNS when nothing else owns it.

namespace xiaoan {

// Who configures an interface at boot.
enum class NetworkOwner {
  kNone,            // nobody we know: the running configuration is all there is
  kNetworkManager,  // nmcli reports the device connected/managed
  kNetworkd,        // systemd-networkd manages the link
  kIfupdown,        // /etc/network/interfaces has a stanza for it
};
const char* networkOwnerName(NetworkOwner owner);  // "NetworkManager", "systemd-networkd", ...

// The assignment to put in place on one interface.
struct Ipv4Assignment {
  std::string interface;         // "eth0"
  uint32_t index = 0;            // its OS index
  std::string mac;               // its current MAC (networkd matches on it)
  std::string cidr;              // "10.1.2.37/24"
  std::string gateway;           // "10.1.2.1"; empty = leave the default route alone
  std::vector<std::string> dns;  // empty = leave DNS alone
};

// Threading: one caller at a time.
class NetworkConfig {
 public:
  virtual ~NetworkConfig() = default;

  // Adds an IPv4 address (E_EXISTS when it is there already).
  virtual Status addAddress(uint32_t index, const std::string& cidr) = 0;
  // Removes one (E_NOT_FOUND / E_IO from the kernel when it is not there).
  virtual Status removeAddress(uint32_t index, const std::string& cidr) = 0;
  // Makes `gateway` via interface `index` the only default IPv4 route of the main table.
  virtual Status replaceDefaultRoute(uint32_t index, const std::string& gateway) = 0;

  // Who manages the interface (kNone when no manager is installed or running).
  virtual NetworkOwner ownerOf(const std::string& interface, uint32_t index) const = 0;
  // Writes the assignment into the owner's configuration so that it survives a reboot:
  // NetworkManager's connection (then brought up), a systemd-networkd .network file (then
  // reloaded), the interface's stanza in ifupdown's file. E_UNSUPPORTED for kNone; E_IO /
  // E_TIMEOUT when the tool fails, with its message.
  virtual Status persist(NetworkOwner owner, const Ipv4Assignment& assignment) = 0;
  // Puts `servers` in the resolver configuration file (atomically, other lines kept).
  // E_UNSUPPORTED when the file is a symlink (a resolver stub such as systemd-resolved owns it).
  virtual Status setDnsServers(const std::vector<std::string>& servers) = 0;
};

struct NetworkConfigOptions {
  std::string resolv_conf = "/etc/resolv.conf";
  std::string networkd_dir = "/etc/systemd/network";
  std::string networkd_run_dir = "/run/systemd/netif/links";
  std::string ifupdown_file = "/etc/network/interfaces";
};

std::unique_ptr<NetworkConfig> makeNetworkConfig(NetworkConfigOptions options = {});

}  // namespace xiaoan
