#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "platform/file_util.h"
#include "platform/host_info.h"

namespace xiaoan {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string readSmall(const std::string& path) {
  auto r = readFile(path, 4096);
  return r ? trim(*r) : std::string();
}

std::string osPrettyName() {
  auto r = readFile("/etc/os-release", 65536);
  if (!r) return {};
  const std::string key = "PRETTY_NAME=";
  size_t pos = r->find(key);
  if (pos == std::string::npos) return {};
  size_t end = r->find('\n', pos);
  std::string v =
      r->substr(pos + key.size(), end == std::string::npos ? end : end - pos - key.size());
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

int prefixLength(const sockaddr* mask) {
  if (mask == nullptr) return 32;
  uint32_t m = ntohl(reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr);
  return __builtin_popcount(m);
}

std::string formatMac(const sockaddr_ll* ll) {
  if (ll->sll_halen != 6) return {};
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1],
                ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
  return buf;
}

Result<std::vector<InterfaceFacts>> interfaces() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return errnoStatus(ErrorCode::kIo, "getifaddrs");
  std::map<std::string, InterfaceFacts> by_name;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    auto& f = by_name[a->ifa_name];
    f.name = a->ifa_name;
    f.up = (a->ifa_flags & IFF_UP) != 0;
    f.loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
    if (a->ifa_addr == nullptr) continue;
    if (a->ifa_addr->sa_family == AF_PACKET) {
      f.mac = formatMac(reinterpret_cast<const sockaddr_ll*>(a->ifa_addr));
    } else if (a->ifa_addr->sa_family == AF_INET) {
      char ip[INET_ADDRSTRLEN];
      auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
      ::inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
      f.ipv4.push_back(std::string(ip) + "/" + std::to_string(prefixLength(a->ifa_netmask)));
    }
  }
  ::freeifaddrs(list);
  std::vector<InterfaceFacts> out;
  for (auto& [name, f] : by_name) {
    if (f.mac == "00:00:00:00:00:00") f.mac.clear();
    out.push_back(std::move(f));
  }
  return out;
}

class LinuxHostInfo final : public HostInfo {
 public:
  Result<HostFactsData> collect() const override {
    HostFactsData d;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0)
      return errnoStatus(ErrorCode::kIo, "gethostname");
    d.hostname = host;
    XIAOAN_ASSIGN_OR_RETURN(d.interfaces, interfaces());
    d.smbios_uuid = readSmall("/sys/class/dmi/id/product_uuid");
    d.machine_id = readSmall("/etc/machine-id");
    d.boot_id = readSmall("/proc/sys/kernel/random/boot_id");
    d.os_version = osPrettyName();
    utsname u{};
    if (::uname(&u) == 0) {
      d.kernel_version = u.release;
      d.arch = u.machine;
    }
    return d;
  }
};

}  // namespace

std::unique_ptr<HostInfo> makeHostInfo() { return std::make_unique<LinuxHostInfo>(); }

}  // namespace xiaoan
