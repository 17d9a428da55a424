#include "platform/arp_probe.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <cstring>

#include "platform/linux/arp_packet.h"
#include "platform/network_info.h"
#include "tests/platform/network/netns_thread.h"

namespace xiaoan {
namespace {

const arp::Mac kOwn = {0x02, 0, 0, 0, 0, 0x37};

uint32_t ip(const char* text) {
  in_addr a{};
  ::inet_pton(AF_INET, text, &a);
  return a.s_addr;
}

// An ARP packet from `mac` with the given operation and addresses.
std::array<uint8_t, 28> packet(uint16_t op, arp::Mac mac, const char* sender, const char* target) {
  auto p = arp::probePacket(mac, ip(target));
  p[7] = static_cast<uint8_t>(op);
  const uint32_t s = ip(sender);
  std::memcpy(p.data() + 14, &s, 4);
  return p;
}

}  // namespace

TEST_CASE("the probe packet: Ethernet/IPv4 request from 0.0.0.0 for the address") {
  const auto p = arp::probePacket(kOwn, ip("10.1.2.37"));
  const uint8_t want[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0,  0, 0, 0x37,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 37};
  CHECK(std::memcmp(p.data(), want, 28) == 0);
}

TEST_CASE("what counts as another host on the address") {
  const arp::Mac other = {0x02, 0, 0, 0, 0, 0xbb};
  const uint32_t target = ip("10.1.2.37");
  auto seen = [&](const std::array<uint8_t, 28>& p, size_t len = 28) {
    return arp::conflictIn(p.data(), len, target, kOwn);
  };
  CHECK(seen(packet(2, other, "10.1.2.37", "0.0.0.0")) == "02:00:00:00:00:bb");   // its reply
  CHECK(seen(packet(1, other, "10.1.2.37", "10.1.2.1")) == "02:00:00:00:00:bb");  // it asks
  CHECK(seen(packet(1, other, "0.0.0.0", "10.1.2.37")) == "02:00:00:00:00:bb");   // probes too
  CHECK_FALSE(seen(packet(1, kOwn, "0.0.0.0", "10.1.2.37")));                     // our own probe
  CHECK_FALSE(seen(packet(2, other, "10.1.2.38", "10.1.2.37")));
  CHECK_FALSE(seen(packet(3, other, "10.1.2.37", "0.0.0.0")));  // RARP
  CHECK_FALSE(seen(packet(2, other, "10.1.2.37", "0.0.0.0"), 27));
  auto bad = packet(2, other, "10.1.2.37", "0.0.0.0");
  bad[5] = 16;  // not IPv4-sized
  CHECK_FALSE(seen(bad));
}

TEST_CASE("MAC text") {
  CHECK(arp::parseMac("02:00:00:00:00:37") == kOwn);
  CHECK_FALSE(arp::parseMac("02:00:00:00:00"));
  CHECK_FALSE(arp::parseMac("02:00:00:00:00:37:"));
  CHECK_FALSE(arp::parseMac("zz:00:00:00:00:37"));
}

TEST_CASE("a real probe over a veth pair: the other end answers for its address") {
  bool ran = testing::inFreshNetns([&] {
    REQUIRE(testing::sh("ip link add xarp0 type veth peer name xarp1") == 0);
    REQUIRE(testing::sh("ip link set xarp0 address 02:00:00:00:00:37 up") == 0);
    REQUIRE(testing::sh("ip link set xarp1 address 02:00:00:00:00:bb up") == 0);
    REQUIRE(testing::sh("ip addr add 10.6.0.37/24 dev xarp1") == 0);
    auto snap = makeNetworkInfo()->snapshot();
    REQUIRE(snap.isOk());
    uint32_t index = 0;
    for (const auto& i : snap->interfaces)
      if (i.name == "xarp0") index = i.index;
    REQUIRE(index != 0);
    ArpProbeOptions o;
    o.interval = std::chrono::milliseconds(50);
    o.listen_after = std::chrono::milliseconds(300);
    auto prober = makeArpProber(o);
    auto taken = prober->probe(index, "02:00:00:00:00:37", "10.6.0.37");
    REQUIRE(taken.isOk());
    CHECK(*taken == std::optional<std::string>("02:00:00:00:00:bb"));
    auto free_ip = prober->probe(index, "02:00:00:00:00:37", "10.6.0.99");
    REQUIRE(free_ip.isOk());
    CHECK_FALSE(free_ip->has_value());
    CHECK(prober->probe(index, "bad", "10.6.0.99").status().code() == ErrorCode::kInvalidArgument);
  });
  if (!ran) MESSAGE("skipped: needs root to make a network namespace");
}

}  // namespace xiaoan
