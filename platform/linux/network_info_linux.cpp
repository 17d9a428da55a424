// NetworkInfo and NetworkChangeWatcher on Linux: rtnetlink dumps for links, IPv4 addresses and
// the main table's default route; the permanent MAC from IFLA_PERM_ADDRESS, else the ethtool
// ioctl; DNS from resolv.conf; changes from rtnetlink multicast groups.
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "platform/file_util.h"
#include "platform/linux/posix_error.h"
#include "platform/linux/resolv_conf.h"
#include "platform/linux/rtnetlink.h"
#include "platform/network_info.h"

namespace xiaoan {
namespace {

// ETHTOOL_GPERMADDR for kernels without IFLA_PERM_ADDRESS (before 5.6); empty when the driver
// does not know one.
std::string ethtoolPermanentMac(int sock, const std::string& name) {
  if (sock < 0 || name.size() >= IFNAMSIZ) return {};
  // struct ethtool_perm_addr (cmd, size) followed by room for the address.
  constexpr size_t kRoom = 32;
  alignas(ethtool_perm_addr) uint8_t req[sizeof(ethtool_perm_addr) + kRoom] = {};
  ethtool_perm_addr head{};
  head.cmd = ETHTOOL_GPERMADDR;
  head.size = kRoom;
  std::memcpy(req, &head, sizeof head);
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size());
  ifr.ifr_data = reinterpret_cast<char*>(req);
  if (::ioctl(sock, SIOCETHTOOL, &ifr) != 0) return {};
  std::memcpy(&head, req, sizeof head);
  return rtnl::formatMac(req + sizeof head, std::min<size_t>(head.size, kRoom));
}

void fillPermanentMacs(NetworkSnapshot& s) {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  for (auto& itf : s.interfaces) {
    if (itf.loopback || !itf.permanent_mac.empty()) continue;
    itf.permanent_mac = ethtoolPermanentMac(sock.get(), itf.name);
  }
}

class LinuxNetworkInfo final : public NetworkInfo {
 public:
  explicit LinuxNetworkInfo(NetworkInfoOptions o) : options_(std::move(o)) {}

  Result<NetworkSnapshot> snapshot() const override {
    XIAOAN_ASSIGN_OR_RETURN(rtnl::Socket sock, rtnl::Socket::open());
    rtnl::SnapshotBuilder b;
    XIAOAN_RETURN_IF_ERROR(sock.dump(RTM_GETLINK, AF_UNSPEC, b));
    XIAOAN_RETURN_IF_ERROR(sock.dump(RTM_GETADDR, AF_INET, b));
    XIAOAN_RETURN_IF_ERROR(sock.dump(RTM_GETROUTE, AF_INET, b));
    NetworkSnapshot s = b.build();
    fillPermanentMacs(s);
    auto text = readFile(options_.resolv_conf, kMaxResolvConfBytes);
    if (text.isOk()) s.dns = parseResolvConfNameservers(*text);
    return s;
  }

 private:
  const NetworkInfoOptions options_;
};

class LinuxNetworkChangeWatcher final : public NetworkChangeWatcher {
 public:
  LinuxNetworkChangeWatcher(rtnl::Socket sock, UniqueFd wake)
      : sock_(std::move(sock)), wake_(std::move(wake)) {}

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    const int ms = static_cast<int>(std::clamp<int64_t>(timeout.count(), 0, 1 << 30));
    pollfd fds[2] = {{sock_.fd(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, ms);
    if (n < 0 && errno == EINTR) return false;
    if (n < 0) return posixStatus("poll rtnetlink");
    if (fds[1].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = ::read(wake_.get(), &count, sizeof count);
    }
    if (!(fds[0].revents & (POLLIN | POLLERR))) return false;
    return drain();
  }

  void wake() override {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
  }

 private:
  // Reads every queued notification; what they say is not used (the caller takes a fresh
  // snapshot), so an overflow (ENOBUFS) is a change like any other.
  Result<bool> drain() {
    uint8_t buf[8192];
    for (int i = 0; i < 4096; ++i) {
      const ssize_t n = ::recv(sock_.fd(), buf, sizeof buf, MSG_DONTWAIT);
      if (n >= 0 || errno == ENOBUFS || errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return posixStatus("rtnetlink notification");
    }
    return true;
  }

  rtnl::Socket sock_;
  UniqueFd wake_;
};

}  // namespace

std::unique_ptr<NetworkInfo> makeNetworkInfo(NetworkInfoOptions options) {
  return std::make_unique<LinuxNetworkInfo>(std::move(options));
}

Result<std::unique_ptr<NetworkChangeWatcher>> makeNetworkChangeWatcher() {
  XIAOAN_ASSIGN_OR_RETURN(rtnl::Socket sock,
                          rtnl::Socket::open(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE));
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return posixStatus("eventfd");
  return std::unique_ptr<NetworkChangeWatcher>(
      new LinuxNetworkChangeWatcher(std::move(sock), std::move(wake)));
}

}  // namespace xiaoan
