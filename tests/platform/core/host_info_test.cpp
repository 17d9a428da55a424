#include "platform/host_info.h"

#include <doctest/doctest.h>
#include <unistd.h>

namespace xiaoan {

// Sanity test of the real Linux implementation against the real OS.
TEST_CASE("host facts of this machine") {
  auto facts = makeHostInfo()->collect();
  REQUIRE(facts.isOk());
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  CHECK(facts->hostname == host);
  bool has_loopback = false;
  for (const auto& i : facts->interfaces) {
    if (i.loopback) {
      has_loopback = true;
      CHECK(i.mac.empty());
      bool has_127 = false;
      for (const auto& ip : i.ipv4) has_127 |= ip.rfind("127.", 0) == 0;
      CHECK(has_127);
    }
    if (!i.mac.empty()) CHECK(i.mac.size() == 17);
  }
  CHECK(has_loopback);
  CHECK_FALSE(facts->kernel_version.empty());
  CHECK_FALSE(facts->arch.empty());
  CHECK(facts->boot_id.size() == 36);
}

}  // namespace xiaoan
