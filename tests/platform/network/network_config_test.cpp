#include "platform/network_config.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/network_info.h"
#include "tests/platform/network/netns_thread.h"

namespace xiaoan {
namespace {

using testing::inFreshNetns;
using testing::sh;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  TempDir() : path("/tmp/xiaoan-netcfg." + std::to_string(::getpid())) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

NetworkConfigOptions optionsIn(const TempDir& d) {
  NetworkConfigOptions o;
  o.resolv_conf = d.path + "/resolv.conf";
  o.networkd_dir = d.path + "/network";
  o.networkd_run_dir = d.path + "/links";
  o.ifupdown_file = d.path + "/interfaces";
  return o;
}

const InterfaceFacts* byName(const NetworkSnapshot& s, const std::string& name) {
  for (const auto& i : s.interfaces)
    if (i.name == name) return &i;
  return nullptr;
}

}  // namespace

TEST_CASE("addresses and the default route through rtnetlink, with the kernel's answers") {
  bool ran = inFreshNetns([&] {
    REQUIRE(sh("ip link add xcfg0 type veth peer name xcfgp && ip link set xcfg0 up") == 0);
    auto info = makeNetworkInfo();
    auto before = info->snapshot();
    REQUIRE(before.isOk());
    const uint32_t index = byName(*before, "xcfg0")->index;
    auto cfg = makeNetworkConfig();
    CHECK(cfg->addAddress(index, "10.5.0.9/24").isOk());
    CHECK(cfg->addAddress(index, "10.5.0.99/24").isOk());
    CHECK(cfg->addAddress(index, "10.5.0.9/24").code() == ErrorCode::kExists);
    CHECK(cfg->addAddress(index, "10.5.0.9").code() == ErrorCode::kInvalidArgument);
    CHECK(cfg->addAddress(9999, "10.5.0.7/24").code() != ErrorCode::kOk);
    CHECK(cfg->removeAddress(index, "10.5.0.99/24").isOk());
    CHECK_FALSE(cfg->removeAddress(index, "10.5.0.99/24").isOk());
    REQUIRE(sh("ip route add default via 10.5.0.254 metric 5") == 0);
    CHECK(cfg->replaceDefaultRoute(index, "10.5.0.1").isOk());
    CHECK(cfg->replaceDefaultRoute(index, "10.5.0.1").isOk());  // again: still one route
    CHECK(cfg->replaceDefaultRoute(index, "not-an-ip").code() == ErrorCode::kInvalidArgument);
    auto after = info->snapshot();
    REQUIRE(after.isOk());
    CHECK(byName(*after, "xcfg0")->ipv4 == std::vector<std::string>{"10.5.0.9/24"});
    CHECK(after->gateway == "10.5.0.1");
    CHECK(after->gateway_index == index);
  });
  if (!ran) MESSAGE("skipped: needs root to make a network namespace");
}

TEST_CASE(
    "the owner of an interface: networkd run state, an ifupdown stanza, nobody; ifupdown "
    "persistence") {
  TempDir d;
  auto cfg = makeNetworkConfig(optionsIn(d));
  // nmcli is not installed on the CI image; where it is, this PC's names are not ours.
  CHECK(cfg->ownerOf("xnone0", 4242) == NetworkOwner::kNone);
  std::filesystem::create_directories(d.path + "/links");
  std::ofstream(d.path + "/links/4242") << "# This is private data.\nADMIN_STATE=configured\n";
  CHECK(cfg->ownerOf("xnone0", 4242) == NetworkOwner::kNetworkd);
  std::ofstream(d.path + "/links/4243") << "ADMIN_STATE=unmanaged\n";
  std::ofstream(d.path + "/interfaces")
      << "auto lo\niface lo inet loopback\n\niface xif0 inet dhcp\n";
  CHECK(cfg->ownerOf("xif0", 4243) == NetworkOwner::kIfupdown);
  CHECK(cfg->ownerOf("xif", 4243) == NetworkOwner::kNone);
  Ipv4Assignment a;
  a.interface = "xif0";
  a.cidr = "10.1.2.37/24";
  REQUIRE(cfg->persist(NetworkOwner::kIfupdown, a).isOk());
  CHECK(slurp(d.path + "/interfaces").find("iface xif0 inet static\n    address 10.1.2.37/24\n") !=
        std::string::npos);
  CHECK(slurp(d.path + "/interfaces").find("inet dhcp") == std::string::npos);
  CHECK(cfg->persist(NetworkOwner::kNone, a).code() == ErrorCode::kUnsupported);
  CHECK(std::string(networkOwnerName(NetworkOwner::kNetworkd)) == "systemd-networkd");
}

TEST_CASE("DNS into resolv.conf: other lines kept; a symlinked stub is refused") {
  TempDir d;
  auto o = optionsIn(d);
  auto cfg = makeNetworkConfig(o);
  std::ofstream(o.resolv_conf) << "search school\nnameserver 8.8.8.8\noptions edns0\n";
  REQUIRE(cfg->setDnsServers({"10.1.0.53", "10.1.0.54"}).isOk());
  CHECK(slurp(o.resolv_conf) ==
        "search school\nnameserver 10.1.0.53\nnameserver 10.1.0.54\noptions edns0\n");
  std::filesystem::remove(o.resolv_conf);
  std::ofstream(d.path + "/stub-resolv.conf") << "nameserver 127.0.0.53\n";
  std::filesystem::create_symlink(d.path + "/stub-resolv.conf", o.resolv_conf);
  CHECK(cfg->setDnsServers({"10.1.0.53"}).code() == ErrorCode::kUnsupported);
  CHECK(slurp(d.path + "/stub-resolv.conf") == "nameserver 127.0.0.53\n");
}

}  // namespace xiaoan
