#include <doctest/doctest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>

#include "platform/linux/rtnetlink.h"

namespace xiaoan::rtnl {
namespace {

std::vector<uint8_t> linkMsg(int index, const std::string& name, std::vector<uint8_t> mac,
                             unsigned flags = IFF_UP) {
  ifinfomsg ifi{};
  ifi.ifi_index = index;
  ifi.ifi_flags = flags;
  MessageBuilder m(RTM_NEWLINK, NLM_F_MULTI, &ifi, sizeof ifi);
  m.attr(IFLA_IFNAME, name.c_str(), name.size() + 1);
  if (!mac.empty()) m.attr(IFLA_ADDRESS, mac.data(), mac.size());
  return m.take();
}

std::vector<uint8_t> addrMsg(int index, std::vector<uint8_t> ip, uint8_t prefix,
                             uint8_t family = AF_INET) {
  ifaddrmsg ifa{};
  ifa.ifa_family = family;
  ifa.ifa_prefixlen = prefix;
  ifa.ifa_index = index;
  MessageBuilder m(RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof ifa);
  m.attr(IFA_LOCAL, ip.data(), ip.size());
  return m.take();
}

std::vector<uint8_t> routeMsg(std::vector<uint8_t> gw, uint32_t oif, uint32_t metric,
                              uint32_t table = RT_TABLE_MAIN, uint8_t dst_len = 0) {
  rtmsg rt{};
  rt.rtm_family = AF_INET;
  rt.rtm_dst_len = dst_len;
  rt.rtm_table = RT_TABLE_UNSPEC;
  rt.rtm_type = RTN_UNICAST;
  MessageBuilder m(RTM_NEWROUTE, NLM_F_MULTI, &rt, sizeof rt);
  m.attrU32(RTA_TABLE, table);
  m.attr(RTA_GATEWAY, gw.data(), gw.size());
  m.attrU32(RTA_OIF, oif);
  m.attrU32(RTA_PRIORITY, metric);
  return m.take();
}

std::vector<uint8_t> doneMsg() {
  int zero = 0;
  MessageBuilder m(NLMSG_DONE, NLM_F_MULTI, &zero, sizeof zero);
  return m.take();
}

// Overwrites the length in the message header at the start of `m`.
void setLength(std::vector<uint8_t>& m, uint32_t len) {
  nlmsghdr h;
  std::memcpy(&h, m.data(), sizeof h);
  h.nlmsg_len = len;
  std::memcpy(m.data(), &h, sizeof h);
}

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("links, addresses and the default route of a well-formed dump") {
  SnapshotBuilder b;
  auto data = cat({linkMsg(2, "eth0", {0x52, 0x54, 0, 0x12, 0x34, 0x56}),
                   addrMsg(2, {10, 1, 2, 37}, 24), addrMsg(2, {10, 1, 2, 38}, 32),
                   addrMsg(2, {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 64, AF_INET6),
                   routeMsg({10, 1, 2, 1}, 2, 100), routeMsg({10, 1, 2, 254}, 2, 20, 200),
                   routeMsg({10, 1, 2, 2}, 2, 5, RT_TABLE_MAIN, 8), doneMsg()});
  auto done = b.feed(data.data(), data.size());
  REQUIRE(done.isOk());
  CHECK(*done);
  NetworkSnapshot s = b.build();
  REQUIRE(s.interfaces.size() == 1);
  CHECK(s.interfaces[0].name == "eth0");
  CHECK(s.interfaces[0].index == 2);
  CHECK(s.interfaces[0].mac == "52:54:00:12:34:56");
  CHECK(s.interfaces[0].up);
  CHECK(s.interfaces[0].ipv4 == std::vector<std::string>{"10.1.2.37/24", "10.1.2.38/32"});
  CHECK(s.gateway == "10.1.2.1");  // table 200 and a /8 route are not the default route
  CHECK(s.gateway_index == 2);
}

TEST_CASE("malformed messages are skipped, never trusted for lengths") {
  SnapshotBuilder b;
  SUBCASE("message length past the datagram") {
    auto m = linkMsg(3, "eth1", {2, 0, 0, 0, 0, 1});
    setLength(m, 4096);
    auto r = b.feed(m.data(), m.size());
    REQUIRE(r.isOk());
    CHECK_FALSE(*r);
    CHECK(b.build().interfaces.empty());
  }
  SUBCASE("message length shorter than a header") {
    auto m = cat({linkMsg(3, "eth1", {2, 0, 0, 0, 0, 1}), doneMsg()});
    setLength(m, 3);
    auto r = b.feed(m.data(), m.size());
    REQUIRE(r.isOk());
    CHECK(b.build().interfaces.empty());
  }
  SUBCASE("attribute length past its message") {
    auto m = linkMsg(3, "eth1", {2, 0, 0, 0, 0, 1});
    rtattr a;
    const size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg));
    std::memcpy(&a, m.data() + at, sizeof a);
    a.rta_len = 2000;
    std::memcpy(m.data() + at, &a, sizeof a);
    auto r = b.feed(m.data(), m.size());
    REQUIRE(r.isOk());
    CHECK(b.build().interfaces.empty());  // no name: the link is left out
  }
  SUBCASE("a short fixed part, a prefix over 32, a 5-byte address") {
    auto bad_prefix = addrMsg(2, {10, 0, 0, 1}, 33);
    auto bad_addr = addrMsg(2, {10, 0, 0, 1, 9}, 24);
    std::vector<uint8_t> short_link = linkMsg(2, "x", {});
    short_link.resize(NLMSG_HDRLEN + 4);
    setLength(short_link, static_cast<uint32_t>(short_link.size()));
    auto data = cat({linkMsg(2, "eth0", {}), bad_prefix, bad_addr, short_link, doneMsg()});
    auto r = b.feed(data.data(), data.size());
    REQUIRE(r.isOk());
    auto s = b.build();
    REQUIRE(s.interfaces.size() == 1);
    CHECK(s.interfaces[0].ipv4.empty());
    CHECK(s.interfaces[0].mac.empty());
  }
}

TEST_CASE("an error answer carries the kernel's errno") {
  SnapshotBuilder b;
  nlmsgerr e{};
  e.error = -EPERM;
  MessageBuilder m(NLMSG_ERROR, 0, &e, sizeof e);
  auto data = m.take();
  auto r = b.feed(data.data(), data.size());
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kPermissionDenied);
}

TEST_CASE("interfaces and addresses are bounded") {
  SnapshotBuilder b;
  for (int i = 1; i <= 300; ++i) {
    auto m = cat({linkMsg(i, "n" + std::to_string(i), {}), addrMsg(1, {10, 0, 0, 1}, 8)});
    REQUIRE(b.feed(m.data(), m.size()).isOk());
  }
  auto s = b.build();
  CHECK(s.interfaces.size() == kMaxInterfaces);
  CHECK(s.interfaces[0].ipv4.size() == kMaxAddressesPerInterface);
}

TEST_CASE("formatMac") {
  const uint8_t mac[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  const uint8_t zero[6] = {};
  CHECK(formatMac(mac, 6) == "aa:bb:cc:dd:ee:ff");
  CHECK(formatMac(mac, 5).empty());
  CHECK(formatMac(zero, 6).empty());
}

}  // namespace xiaoan::rtnl
