#include "platform/linux/ifupdown.h"

#include <doctest/doctest.h>

namespace xiaoan {
namespace {

Ipv4Assignment eth0() {
  Ipv4Assignment a;
  a.interface = "eth0";
  a.cidr = "10.1.2.37/24";
  a.gateway = "10.1.2.1";
  a.dns = {"10.1.0.53", "10.1.0.54"};
  return a;
}

constexpr const char* kStatic =
    "# Written by xiaoan-agent: the address the school assigned to this PC (IP/MAC binding).\n"
    "iface eth0 inet static\n    address 10.1.2.37/24\n    gateway 10.1.2.1\n"
    "    dns-nameservers 10.1.0.53 10.1.0.54\n";

}  // namespace

TEST_CASE("the DHCP stanza becomes the static assignment; the rest stays") {
  const std::string text =
      "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
      "allow-hotplug eth0\niface eth0 inet dhcp\n    hostname pc07\n# keep\n"
      "iface eth0 inet6 auto\n\nauto eth1\niface eth1 inet static\n    address 192.168.9.2/24\n";
  CHECK(rewriteIfupdownStanza(text, eth0()) ==
        "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n\n"
        "allow-hotplug eth0\n" +
            std::string(kStatic) +
            "iface eth0 inet6 auto\n\nauto eth1\niface eth1 inet static\n"
            "    address 192.168.9.2/24\n");
  CHECK(hasIfupdownStanza(text, "eth0"));
  CHECK(hasIfupdownStanza(text, "eth1"));
  CHECK_FALSE(hasIfupdownStanza(text, "eth"));
  CHECK_FALSE(hasIfupdownStanza("iface eth0 inet6 auto\n", "eth0"));
}

TEST_CASE("rewriting twice changes nothing more; a second stanza for it goes") {
  const std::string once = rewriteIfupdownStanza("iface eth0 inet dhcp\n", eth0());
  CHECK(once == kStatic);
  CHECK(rewriteIfupdownStanza(once, eth0()) == once);
  CHECK(rewriteIfupdownStanza("iface eth0 inet dhcp\niface eth0 inet static\n  address 1.2.3.4/8\n",
                              eth0()) == kStatic);
}

TEST_CASE("no stanza yet: appended after a blank line; no gateway or DNS: left out") {
  CHECK(rewriteIfupdownStanza("auto lo\niface lo inet loopback\n", eth0()) ==
        "auto lo\niface lo inet loopback\n\n" + std::string(kStatic));
  Ipv4Assignment bare;
  bare.interface = "enp3s0";
  bare.cidr = "10.1.2.37/24";
  CHECK(
      rewriteIfupdownStanza("", bare).ends_with("iface enp3s0 inet static\n    address "
                                                "10.1.2.37/24\n"));
}

}  // namespace xiaoan
