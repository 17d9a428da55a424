// Listed domains and URL hosts: the one normalisation the validator and the agent share.
#include "common/net/domain_name.h"

#include <doctest/doctest.h>

namespace xiaoan::net {
namespace {

TEST_CASE("listed domains: case folded, one trailing dot dropped, labels checked") {
  CHECK(normalizeDomain("Bet.COM") == "bet.com");
  CHECK(normalizeDomain("bet.com.") == "bet.com");
  CHECK(normalizeDomain("xn--fiqs8s.cn") == "xn--fiqs8s.cn");
  CHECK(normalizeDomain("localhost") == "localhost");
  CHECK(normalizeDomain("_dmarc.example.cn") == "_dmarc.example.cn");
  CHECK_FALSE(normalizeDomain(""));
  CHECK_FALSE(normalizeDomain("."));
  CHECK_FALSE(normalizeDomain("bet..com"));
  CHECK_FALSE(normalizeDomain(".bet.com"));
  CHECK_FALSE(normalizeDomain("-bet.com"));
  CHECK_FALSE(normalizeDomain("bet-.com"));
  CHECK_FALSE(normalizeDomain("*.bet.com"));
  CHECK_FALSE(normalizeDomain("bet.com/path"));
  CHECK_FALSE(normalizeDomain("赌博.com"));  // punycode form required
  CHECK_FALSE(normalizeDomain(std::string(64, 'a') + ".com"));
  CHECK(normalizeDomain(std::string(63, 'a') + ".com"));
  std::string long_name;
  while (long_name.size() < 250) long_name += "abcdefgh.";
  long_name += "cn";  // 254 bytes
  CHECK_FALSE(normalizeDomain(long_name));
  CHECK(normalizeDomain(long_name.substr(9)));
}

TEST_CASE("URL hosts: user info, port, brackets and case removed; none without an authority") {
  CHECK(urlHost("https://user:pw@Www.Example.CN:8443/a?b#c") == "www.example.cn");
  CHECK(urlHost("http://example.cn") == "example.cn");
  CHECK(urlHost("http://example.cn./x") == "example.cn");
  CHECK(urlHost("http://example.cn?q=1") == "example.cn");
  CHECK(urlHost("http://[2001:db8::1]:80/") == "2001:db8::1");
  CHECK(urlHost("http://a.cn/x@evil.com") == "a.cn");
  CHECK(urlHost("about:blank").empty());
  CHECK(urlHost("file:///etc/passwd").empty());
  CHECK(urlHost("data:text/html,x").empty());
  CHECK(urlHost("://x").empty());
}

}  // namespace
}  // namespace xiaoan::net
