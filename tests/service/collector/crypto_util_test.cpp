#include "service/collector/trust/crypto_util.h"

#include <doctest/doctest.h>

namespace xiaoan::collector {
namespace {

TEST_CASE("sha256Hex matches the FIPS 180-2 test vector") {
  CHECK(sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("password hashes verify only the right password and are salted") {
  auto h1 = hashPassword("correct horse", 1000);
  auto h2 = hashPassword("correct horse", 1000);
  REQUIRE(h1.isOk());
  REQUIRE(h2.isOk());
  CHECK(*h1 != *h2);
  CHECK(h1->rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(verifyPassword("correct horse", *h1));
  CHECK_FALSE(verifyPassword("correct horsE", *h1));
  CHECK_FALSE(verifyPassword("", *h1));
  for (const char* bad : {"", "pbkdf2-sha256$0$00$00", "pbkdf2-sha256$x$00$00", "md5$1000$00$00",
                          "pbkdf2-sha256$1000$zz$00", "pbkdf2-sha256$99999999999$00$00"}) {
    CHECK_FALSE(verifyPassword("x", bad));
  }
}

TEST_CASE("base64 decoding handles padding and rejects garbage") {
  CHECK(*base64Decode("YWRtaW46cHc=") == "admin:pw");
  CHECK(*base64Decode("YWI=") == "ab");
  CHECK(*base64Decode("YWJj") == "abc");
  CHECK(*base64Decode("YQ==") == "a");
  CHECK_FALSE(base64Decode("YWJ").isOk());
  CHECK_FALSE(base64Decode("Y!==").isOk());
  CHECK_FALSE(base64Decode(std::string(8192, 'A')).isOk());
}

TEST_CASE("constant-time equality and random ids") {
  CHECK(constantTimeEquals("abc", "abc"));
  CHECK_FALSE(constantTimeEquals("abc", "abd"));
  CHECK_FALSE(constantTimeEquals("abc", "abcd"));
  auto a = randomHexId(16);
  auto b = randomHexId(16);
  REQUIRE(a.isOk());
  REQUIRE(b.isOk());
  CHECK(a->size() == 32);
  CHECK(*a != *b);
  auto pw = randomPassword(20);
  REQUIRE(pw.isOk());
  CHECK(pw->size() == 20);
  CHECK(pw->find_first_of("0O1l") == std::string::npos);
}

}  // namespace
}  // namespace xiaoan::collector
