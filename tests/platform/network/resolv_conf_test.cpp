#include "platform/linux/resolv_conf.h"

#include <doctest/doctest.h>

#include "platform/network_info.h"

namespace xiaoan {

TEST_CASE("nameservers: IPv4 only, in order, comments and junk ignored, bounded") {
  CHECK(parseResolvConfNameservers("# nameserver 1.1.1.1\nsearch lan\nnameserver 10.0.0.53\n"
                                   "nameserver\t10.0.0.54 # second\nnameserver fe80::1\n"
                                   "nameservers 9.9.9.9\nnameserver 300.1.1.1\n  nameserver "
                                   "10.0.0.55\r\nnameserver") ==
        std::vector<std::string>{"10.0.0.53", "10.0.0.54", "10.0.0.55"});
  std::string many;
  for (int i = 0; i < 20; ++i) many += "nameserver 10.0.0." + std::to_string(i) + "\n";
  CHECK(parseResolvConfNameservers(many).size() == kMaxDnsServers);
  std::string big(kMaxResolvConfBytes, '#');
  CHECK(parseResolvConfNameservers(big + "\nnameserver 10.0.0.1\n").empty());
}

TEST_CASE("replacing nameservers keeps every other line") {
  CHECK(replaceResolvConfNameservers("search lan\nnameserver 1.1.1.1\noptions edns0\n"
                                     "nameserver 8.8.8.8\n",
                                     {"10.1.0.53", "10.1.0.54"}) ==
        "search lan\nnameserver 10.1.0.53\nnameserver 10.1.0.54\noptions edns0\n");
  CHECK(replaceResolvConfNameservers("search lan", {"10.1.0.53"}) ==
        "search lan\nnameserver 10.1.0.53\n");
}

}  // namespace xiaoan
