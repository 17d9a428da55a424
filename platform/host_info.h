#pragma once

#include <memory>
#include <string>
#include <vector>

#include "platform/network_info.h"
#include "platform/result.h"

namespace xiaoan {

struct HostFactsData {
  std::string hostname;
  std::vector<InterfaceFacts> interfaces;
  std::string gateway;           // default IPv4 gateway, empty when none
  std::vector<std::string> dns;  // IPv4 DNS servers in use, in order
  std::string smbios_uuid;       // empty when unreadable (needs root on Linux)
  std::string machine_id;
  std::string os_version;
  std::string kernel_version;
  std::string arch;
  std::string boot_id;
};

// Read-only facts about this machine. Every field is best-effort except hostname and
// interfaces, whose failure is an error.
class HostInfo {
 public:
  virtual ~HostInfo() = default;
  virtual Result<HostFactsData> collect() const = 0;
};

// The implementation for the OS this binary was built for.
std::unique_ptr<HostInfo> makeHostInfo();

}  // namespace xiaoan
