#include "common/crc32c.h"

#include <doctest/doctest.h>

#include <string>

namespace xiaoan {

TEST_CASE("crc32c matches the published check values") {
  // RFC 3720 B.4 / the standard check value for "123456789".
  const std::string check = "123456789";
  CHECK(crc32c(check.data(), check.size()) == 0xE3069283u);
  std::string zeros(32, '\0');
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);
  std::string ones(32, '\xff');
  CHECK(crc32c(ones.data(), ones.size()) == 0x62A8AB43u);
  // Incremental computation equals one-shot over odd split points.
  std::string text = "The quick brown fox jumps over the lazy dog, 校安.";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    uint32_t part = crc32c(text.data(), cut);
    CHECK(crc32c(text.data() + cut, text.size() - cut, part) == crc32c(text.data(), text.size()));
  }
}

}  // namespace xiaoan
