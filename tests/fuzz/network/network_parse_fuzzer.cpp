#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/linux/arp_packet.h"
#include "platform/linux/ifupdown.h"
#include "platform/linux/resolv_conf.h"
#include "platform/linux/rtnetlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace xiaoan;
  if (size == 0) return 0;
  if (data[0] % 4 == 3) {
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    Ipv4Assignment a;
    a.interface = "eth0";
    a.cidr = "10.1.2.37/24";
    const std::string out = rewriteIfupdownStanza(text, a);
    if (!hasIfupdownStanza(out, "eth0") || out.size() > kMaxIfupdownBytes + 4096) __builtin_trap();
  } else if (data[0] % 4 == 2) {
    const arp::Mac own = {2, 0, 0, 0, 0, 0x37};
    auto other = arp::conflictIn(data + 1, size - 1, 0x2502010a, own);
    if (other && other->size() != 17) __builtin_trap();
    (void)arp::parseMac(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  } else if (data[0] % 4 == 0) {
    rtnl::SnapshotBuilder b;
    (void)b.feed(data + 1, size - 1);
    NetworkSnapshot s = b.build();
    if (s.interfaces.size() > kMaxInterfaces) __builtin_trap();
    for (const auto& i : s.interfaces)
      if (i.ipv4.size() > kMaxAddressesPerInterface || i.name.size() > 16) __builtin_trap();
  } else {
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto servers = parseResolvConfNameservers(text);
    if (servers.size() > kMaxDnsServers) __builtin_trap();
    (void)replaceResolvConfNameservers(text, servers);
  }
  return 0;
}
