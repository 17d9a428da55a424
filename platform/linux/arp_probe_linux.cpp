// ArpProber on Linux: ARP probes on an AF_PACKET socket bound to the interface, answers read
// until the listening time is over.
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "platform/arp_probe.h"
#include "platform/linux/arp_packet.h"
#include "platform/linux/posix_error.h"
#include "platform/unique_fd.h"

namespace xiaoan {
namespace arp {
namespace {

constexpr size_t kArpLen = 28;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

}  // namespace

std::array<uint8_t, 28> probePacket(const Mac& own, uint32_t ip) {
  std::array<uint8_t, 28> p{};
  const uint8_t head[8] = {0, 1, 8, 0, 6, 4, 0, 1};  // Ethernet, IPv4, 6, 4, request
  std::memcpy(p.data(), head, sizeof head);
  std::memcpy(p.data() + 8, own.data(), 6);  // sender MAC; sender IP stays 0.0.0.0
  std::memcpy(p.data() + 24, &ip, 4);        // target IP; target MAC stays zero
  return p;
}

std::optional<std::string> conflictIn(const uint8_t* d, size_t len, uint32_t ip, const Mac& own) {
  if (len < kArpLen || be16(d) != ARPHRD_ETHER || be16(d + 2) != ETH_P_IP || d[4] != 6 || d[5] != 4)
    return std::nullopt;
  const uint16_t op = be16(d + 6);
  if (op != ARPOP_REQUEST && op != ARPOP_REPLY) return std::nullopt;
  if (std::memcmp(d + 8, own.data(), 6) == 0) return std::nullopt;  // our own probe
  uint32_t sender_ip, target_ip;
  std::memcpy(&sender_ip, d + 14, 4);
  std::memcpy(&target_ip, d + 24, 4);
  const bool uses = sender_ip == ip;
  const bool probes = op == ARPOP_REQUEST && sender_ip == 0 && target_ip == ip;
  if (!uses && !probes) return std::nullopt;
  char mac[18];
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", d[8], d[9], d[10], d[11], d[12],
                d[13]);
  return std::string(mac);
}

std::optional<Mac> parseMac(const std::string& text) {
  Mac m{};
  unsigned v[6];
  char tail;
  if (text.size() != 17 || std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1],
                                       &v[2], &v[3], &v[4], &v[5], &tail) != 6)
    return std::nullopt;
  for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
  return m;
}

}  // namespace arp

namespace {

class LinuxArpProber final : public ArpProber {
 public:
  explicit LinuxArpProber(ArpProbeOptions o) : o_(o) {}

  Result<std::optional<std::string>> probe(uint32_t index, const std::string& own_mac,
                                           const std::string& ip) override {
    auto own = arp::parseMac(own_mac);
    in_addr target{};
    if (!own || ::inet_pton(AF_INET, ip.c_str(), &target) != 1)
      return Status(ErrorCode::kInvalidArgument, "arp probe needs a MAC and an IPv4 address");
    UniqueFd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    if (!fd.valid()) return posixStatus("arp socket");
    sockaddr_ll sa{};
    sa.sll_family = AF_PACKET;
    sa.sll_protocol = htons(ETH_P_ARP);
    sa.sll_ifindex = static_cast<int>(index);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      return posixStatus("arp bind");
    sa.sll_halen = 6;
    std::memset(sa.sll_addr, 0xff, 6);
    const auto packet = arp::probePacket(*own, target.s_addr);
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < o_.probes; ++i) {
      if (::sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&sa),
                   sizeof sa) < 0)
        return posixStatus("arp send");
      const auto until = Clock::now() + (i + 1 < o_.probes ? o_.interval : o_.listen_after);
      if (auto other = listen(fd.get(), until, target.s_addr, *own)) return other;
    }
    return std::optional<std::string>();
  }

 private:
  static std::optional<std::string> listen(int fd, std::chrono::steady_clock::time_point until,
                                           uint32_t ip, const arp::Mac& own) {
    uint8_t buf[256];
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) continue;
      if (auto other = arp::conflictIn(buf, static_cast<size_t>(n), ip, own)) return other;
    }
  }

  const ArpProbeOptions o_;
};

}  // namespace

std::unique_ptr<ArpProber> makeArpProber(ArpProbeOptions options) {
  return std::make_unique<LinuxArpProber>(options);
}

}  // namespace xiaoan
