#include "platform/network_info.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "tests/platform/network/netns_thread.h"

namespace xiaoan {
namespace {

using namespace std::chrono_literals;
using testing::inFreshNetns;
using testing::sh;

const InterfaceFacts* byName(const NetworkSnapshot& s, const std::string& name) {
  for (const auto& i : s.interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

// Sanity test against the host's real kernel.
TEST_CASE("the real snapshot lists lo with 127.0.0.1/8") {
  auto s = makeNetworkInfo()->snapshot();
  REQUIRE(s.isOk());
  const InterfaceFacts* lo = byName(*s, "lo");
  REQUIRE(lo != nullptr);
  CHECK(lo->loopback);
  CHECK(lo->index > 0);
  CHECK(lo->mac.empty());
  CHECK(has(lo->ipv4, "127.0.0.1/8"));
}

TEST_CASE("a private network namespace: veth NIC, addresses, default route, DNS file") {
  const std::string resolv = "/tmp/xiaoan-netinfo-resolv." + std::to_string(::getpid());
  std::ofstream(resolv) << "search school\nnameserver 10.9.0.53\nnameserver ::1\n"
                           "nameserver 10.9.0.54\n";
  bool ran = inFreshNetns([&] {
    REQUIRE(sh("ip link add xdummy0 type veth peer name xpeer0") == 0);
    REQUIRE(sh("ip link set xdummy0 address 02:11:22:33:44:55 up") == 0);
    REQUIRE(sh("ip addr add 10.9.8.7/24 dev xdummy0") == 0);
    REQUIRE(sh("ip addr add 10.9.8.9/24 dev xdummy0") == 0);
    REQUIRE(sh("ip route add default via 10.9.8.1 dev xdummy0 metric 50") == 0);
    REQUIRE(sh("ip route add default via 10.9.8.2 dev xdummy0 metric 10") == 0);
    auto s = makeNetworkInfo(NetworkInfoOptions{resolv})->snapshot();
    REQUIRE(s.isOk());
    const InterfaceFacts* d = byName(*s, "xdummy0");
    REQUIRE(d != nullptr);
    CHECK(d->mac == "02:11:22:33:44:55");
    CHECK(d->permanent_mac.empty());  // a veth NIC has no burned-in address
    CHECK(d->up);
    CHECK_FALSE(d->loopback);
    CHECK(d->ipv4 == std::vector<std::string>{"10.9.8.7/24", "10.9.8.9/24"});
    CHECK(s->gateway == "10.9.8.2");  // the lowest metric wins
    CHECK(s->gateway_index == d->index);
    CHECK(s->dns == std::vector<std::string>{"10.9.0.53", "10.9.0.54"});
  });
  ::unlink(resolv.c_str());
  if (!ran) MESSAGE("skipped: needs root to make a network namespace");
}

TEST_CASE("the change watcher wakes on address, route and link changes, not otherwise") {
  bool ran = inFreshNetns([&] {
    REQUIRE(sh("ip link add xdummy1 type veth peer name xpeer1 && ip link set xdummy1 up") == 0);
    auto w = makeNetworkChangeWatcher();
    REQUIRE(w.isOk());
    auto quiet = (*w)->wait(50ms);
    REQUIRE(quiet.isOk());
    CHECK_FALSE(*quiet);
    for (const char* cmd : {"ip addr add 10.7.0.2/24 dev xdummy1",
                            "ip route add default via 10.7.0.1", "ip link set xdummy1 down"}) {
      CAPTURE(cmd);
      REQUIRE(sh(cmd) == 0);
      const auto t0 = std::chrono::steady_clock::now();
      auto changed = (*w)->wait(2s);
      REQUIRE(changed.isOk());
      CHECK(*changed);
      CHECK(std::chrono::steady_clock::now() - t0 < 1s);
    }
    (*w)->wake();
    auto woken = (*w)->wait(2s);
    REQUIRE(woken.isOk());
    CHECK_FALSE(*woken);
  });
  if (!ran) MESSAGE("skipped: needs root to make a network namespace");
}

}  // namespace xiaoan
