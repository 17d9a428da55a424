// rtnetlink requests, dumps and acknowledgements, and the parsers for link, address and route
// messages (see rtnetlink.h). Lengths come from the kernel but are checked like untrusted input.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "platform/linux/posix_error.h"
#include "platform/linux/rtnetlink.h"

namespace xiaoan::rtnl {
namespace {

template <typename T>
bool readFixed(const uint8_t* msg, size_t len, T* out) {
  if (len < NLMSG_HDRLEN + sizeof(T)) return false;
  std::memcpy(out, msg + NLMSG_HDRLEN, sizeof(T));
  return true;
}

// Calls f(type, payload, payload_len) for each well-formed attribute in [p, p+len).
template <typename F>
void forEachAttr(const uint8_t* p, size_t len, F f) {
  size_t off = 0;
  while (off + sizeof(rtattr) <= len) {
    rtattr a;
    std::memcpy(&a, p + off, sizeof a);
    if (a.rta_len < sizeof(rtattr) || a.rta_len > len - off) return;
    f(a.rta_type, p + off + RTA_LENGTH(0), static_cast<size_t>(a.rta_len - RTA_LENGTH(0)));
    off += RTA_ALIGN(a.rta_len);
  }
}

// Attributes of a message whose fixed part is T.
template <typename T, typename F>
void forEachMsgAttr(const uint8_t* msg, size_t len, F f) {
  const size_t start = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(T));
  if (len > start) forEachAttr(msg + start, len - start, f);
}

uint32_t readU32(const uint8_t* p, size_t len) {
  uint32_t v = 0;
  if (len >= sizeof v) std::memcpy(&v, p, sizeof v);
  return v;
}

std::string ipv4Text(const uint8_t* p) {
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, p, buf, sizeof buf);
  return buf;
}

}  // namespace

std::string formatMac(const uint8_t* b, size_t len) {
  if (len != 6) return {};
  if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0) return {};
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return buf;
}

Result<bool> SnapshotBuilder::feed(const uint8_t* data, size_t len) {
  size_t off = 0;
  while (off + sizeof(nlmsghdr) <= len) {
    nlmsghdr h;
    std::memcpy(&h, data + off, sizeof h);
    // A length that does not fit makes the rest of the datagram untrustworthy.
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - off) break;
    const uint8_t* msg = data + off;
    ++messages_;
    if (h.nlmsg_type == NLMSG_DONE) return true;
    if (h.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr e;
      if (readFixed(msg, h.nlmsg_len, &e) && e.error < 0)
        return posixStatus("rtnetlink dump", -e.error);
    } else if (h.nlmsg_type == RTM_NEWLINK) {
      link(msg, h.nlmsg_len);
    } else if (h.nlmsg_type == RTM_NEWADDR) {
      addr(msg, h.nlmsg_len);
    } else if (h.nlmsg_type == RTM_NEWROUTE) {
      route(msg, h.nlmsg_len);
    }
    off += NLMSG_ALIGN(h.nlmsg_len);
  }
  return false;
}

void SnapshotBuilder::link(const uint8_t* msg, size_t len) {
  ifinfomsg ifi;
  if (!readFixed(msg, len, &ifi) || ifi.ifi_index <= 0) return;
  const auto index = static_cast<uint32_t>(ifi.ifi_index);
  if (!links_.count(index) && links_.size() >= kMaxInterfaces) return;
  InterfaceFacts f;
  f.index = index;
  f.up = (ifi.ifi_flags & IFF_UP) != 0;
  f.loopback = (ifi.ifi_flags & IFF_LOOPBACK) != 0;
  forEachMsgAttr<ifinfomsg>(msg, len, [&](uint16_t type, const uint8_t* p, size_t n) {
    if (type == IFLA_IFNAME) {
      f.name.assign(reinterpret_cast<const char*>(p),
                    strnlen(reinterpret_cast<const char*>(p), std::min<size_t>(n, IFNAMSIZ)));
    } else if (type == IFLA_ADDRESS) {
      f.mac = formatMac(p, n);
    } else if (type == IFLA_PERM_ADDRESS) {
      f.permanent_mac = formatMac(p, n);
    }
  });
  if (f.name.empty()) return;
  links_[index] = std::move(f);
}

void SnapshotBuilder::addr(const uint8_t* msg, size_t len) {
  ifaddrmsg ifa;
  if (!readFixed(msg, len, &ifa) || ifa.ifa_family != AF_INET || ifa.ifa_prefixlen > 32) return;
  std::string local, address;
  forEachMsgAttr<ifaddrmsg>(msg, len, [&](uint16_t type, const uint8_t* p, size_t n) {
    if (n != 4) return;
    if (type == IFA_LOCAL) local = ipv4Text(p);
    if (type == IFA_ADDRESS) address = ipv4Text(p);
  });
  const std::string& ip = local.empty() ? address : local;
  if (ip.empty()) return;
  auto it = addrs_.find(ifa.ifa_index);
  if (it == addrs_.end()) {
    if (addrs_.size() >= kMaxInterfaces) return;
    it = addrs_.emplace(ifa.ifa_index, std::vector<std::string>()).first;
  }
  if (it->second.size() >= kMaxAddressesPerInterface) return;
  it->second.push_back(ip + "/" + std::to_string(ifa.ifa_prefixlen));
}

void SnapshotBuilder::route(const uint8_t* msg, size_t len) {
  rtmsg rt;
  if (!readFixed(msg, len, &rt) || rt.rtm_family != AF_INET || rt.rtm_dst_len != 0 ||
      rt.rtm_type != RTN_UNICAST)
    return;
  uint32_t table = rt.rtm_table, oif = 0, metric = 0;
  std::string gateway;
  forEachMsgAttr<rtmsg>(msg, len, [&](uint16_t type, const uint8_t* p, size_t n) {
    if (type == RTA_TABLE) table = readU32(p, n);
    if (type == RTA_OIF) oif = readU32(p, n);
    if (type == RTA_PRIORITY) metric = readU32(p, n);
    if (type == RTA_GATEWAY && n == 4) gateway = ipv4Text(p);
  });
  if (table != RT_TABLE_MAIN || (have_default_ && metric >= gateway_metric_)) return;
  have_default_ = true;
  gateway_metric_ = metric;
  gateway_ = gateway;
  gateway_index_ = oif;
}

NetworkSnapshot SnapshotBuilder::build() const {
  NetworkSnapshot s;
  for (const auto& [index, f] : links_) {
    s.interfaces.push_back(f);
    if (auto a = addrs_.find(index); a != addrs_.end()) s.interfaces.back().ipv4 = a->second;
  }
  s.gateway = gateway_;
  s.gateway_index = gateway_index_;
  return s;
}

Result<Socket> Socket::open(uint32_t groups) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return posixStatus("netlink socket");
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    return posixStatus("netlink bind");
  const int size = 1 << 20;  // room for bursts of notifications
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  return Socket(std::move(fd));
}

Status Socket::send(std::vector<uint8_t>& request, uint16_t flags) {
  nlmsghdr h;
  std::memcpy(&h, request.data(), sizeof h);
  h.nlmsg_flags |= flags;
  h.nlmsg_seq = ++seq_;
  std::memcpy(request.data(), &h, sizeof h);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const ssize_t n = ::sendto(fd_.get(), request.data(), request.size(), 0,
                             reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  if (n != static_cast<ssize_t>(request.size())) return posixStatus("netlink send");
  return Status::ok();
}

Result<size_t> Socket::receive(std::vector<uint8_t>& buf, int timeout_ms) {
  buf.resize(kReceiveBuffer);
  pollfd p{fd_.get(), POLLIN, 0};
  int r;
  while ((r = ::poll(&p, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  if (r < 0) return posixStatus("netlink poll");
  if (r == 0) return Status(ErrorCode::kTimeout, "no answer from the kernel (rtnetlink)");
  sockaddr_nl from{};
  iovec iov{buf.data(), buf.size()};
  msghdr mh{};
  mh.msg_name = &from;
  mh.msg_namelen = sizeof from;
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  const ssize_t n = ::recvmsg(fd_.get(), &mh, 0);
  if (n < 0) return posixStatus("netlink receive");
  if (mh.msg_flags & MSG_TRUNC) return Status(ErrorCode::kTooLarge, "netlink message truncated");
  if (from.nl_pid != 0) return size_t{0};  // not from the kernel: ignored
  return static_cast<size_t>(n);
}

Status Socket::dump(uint16_t type, uint8_t family, SnapshotBuilder& builder) {
  const size_t fixed_len = type == RTM_GETLINK   ? sizeof(ifinfomsg)
                           : type == RTM_GETADDR ? sizeof(ifaddrmsg)
                                                 : sizeof(rtmsg);
  // Room for the largest fixed part, all zero but the family, the first byte of each.
  uint8_t fixed[std::max({sizeof(ifinfomsg), sizeof(ifaddrmsg), sizeof(rtmsg)})] = {};
  fixed[0] = family;
  MessageBuilder m(type, NLM_F_REQUEST | NLM_F_DUMP, fixed, fixed_len);
  std::vector<uint8_t> req = m.take();
  XIAOAN_RETURN_IF_ERROR(send(req, 0));
  std::vector<uint8_t> buf;
  size_t total = 0;
  while (true) {
    XIAOAN_ASSIGN_OR_RETURN(size_t n, receive(buf, 2000));
    total += n;
    if (total > kMaxDumpBytes || builder.messages() > kMaxDumpMessages)
      return Status(ErrorCode::kTooLarge, "rtnetlink dump exceeds its bound");
    XIAOAN_ASSIGN_OR_RETURN(bool done, builder.feed(buf.data(), n));
    if (done) return Status::ok();
  }
}

Status Socket::transact(std::vector<uint8_t> request, const std::string& what) {
  XIAOAN_RETURN_IF_ERROR(send(request, NLM_F_REQUEST | NLM_F_ACK));
  std::vector<uint8_t> buf;
  for (int i = 0; i < 64; ++i) {
    XIAOAN_ASSIGN_OR_RETURN(size_t n, receive(buf, 2000));
    size_t off = 0;
    while (off + sizeof(nlmsghdr) <= n) {
      nlmsghdr h;
      std::memcpy(&h, buf.data() + off, sizeof h);
      if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > n - off) break;
      nlmsgerr e;
      if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_seq == seq_ &&
          readFixed(buf.data() + off, h.nlmsg_len, &e)) {
        return e.error == 0 ? Status::ok() : posixStatus(what, -e.error);
      }
      off += NLMSG_ALIGN(h.nlmsg_len);
    }
  }
  return Status(ErrorCode::kProtocol, what + ": no acknowledgement from the kernel");
}

MessageBuilder::MessageBuilder(uint16_t type, uint16_t flags, const void* fixed, size_t len) {
  buf_.resize(NLMSG_HDRLEN + NLMSG_ALIGN(len));
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  std::memcpy(buf_.data(), &h, sizeof h);
  std::memcpy(buf_.data() + NLMSG_HDRLEN, fixed, len);
}

void MessageBuilder::attr(uint16_t type, const void* data, size_t len) {
  const size_t at = buf_.size();
  buf_.resize(at + RTA_SPACE(len));
  rtattr a{static_cast<unsigned short>(RTA_LENGTH(len)), type};
  std::memcpy(buf_.data() + at, &a, sizeof a);
  std::memcpy(buf_.data() + at + RTA_LENGTH(0), data, len);
}

std::vector<uint8_t> MessageBuilder::take() {
  nlmsghdr h;
  std::memcpy(&h, buf_.data(), sizeof h);
  h.nlmsg_len = static_cast<uint32_t>(buf_.size());
  std::memcpy(buf_.data(), &h, sizeof h);
  return std::move(buf_);
}

}  // namespace xiaoan::rtnl
