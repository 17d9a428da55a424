#include "common/net/ipv4.h"

#include <doctest/doctest.h>

namespace xiaoan::net {

TEST_CASE("parseIpv4 accepts dotted quads and nothing else") {
  CHECK(parseIpv4("10.1.2.3") == 0x0a010203u);
  CHECK(parseIpv4("0.0.0.0") == 0u);
  CHECK(parseIpv4("255.255.255.255") == 0xffffffffu);
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..2.3",
        "1.2.3.", "a.b.c.d", "1.2.3.4/24", "1234.1.1.1", "1.2.3.-4", "1.2.3.4\n"}) {
    CAPTURE(bad);
    CHECK_FALSE(parseIpv4(bad).has_value());
  }
}

TEST_CASE("formatIpv4 is the inverse of parseIpv4") {
  CHECK(formatIpv4(0x0a010203u) == "10.1.2.3");
  CHECK(parseIpv4(formatIpv4(0xc0a80001u)) == 0xc0a80001u);
}

}  // namespace xiaoan::net
