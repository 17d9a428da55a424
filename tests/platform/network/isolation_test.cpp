#include "platform/isolation.h"

#include <doctest/doctest.h>

#include "platform/command_runner.h"
#include "platform/linux/nft_ruleset.h"
#include "tests/platform/network/netns_thread.h"

namespace xiaoan {

TEST_CASE("the ruleset: drop both ways, lo, established, the collector, DHCP and DNS on demand") {
  IsolationRules r;
  r.collector_addresses = {"10.0.0.5", "fd00::5"};
  r.collector_port = 8443;
  auto text = isolationRuleset(r);
  REQUIRE(text.isOk());
  CHECK(text->find("policy drop;") != std::string::npos);
  CHECK(text->find("ip daddr { 10.0.0.5 } tcp dport 8443 accept") != std::string::npos);
  CHECK(text->find("ip saddr { 10.0.0.5 } tcp sport 8443 accept") != std::string::npos);
  CHECK(text->find("ip6 daddr { fd00::5 } tcp dport 8443 accept") != std::string::npos);
  CHECK(text->find("udp dport 67") == std::string::npos);
  CHECK(text->find(" 53 accept") == std::string::npos);
  r.allow_dhcp = true;
  r.dns_servers = {"10.0.0.53"};
  text = isolationRuleset(r);
  REQUIRE(text.isOk());
  CHECK(text->find("udp sport 68 udp dport 67 accept") != std::string::npos);
  CHECK(text->find("ip daddr { 10.0.0.53 } udp dport 53 accept") != std::string::npos);
  CHECK(text->find("ip daddr { 10.0.0.53 } tcp dport 53 accept") != std::string::npos);
}

TEST_CASE("the ruleset refuses anything but address literals") {
  IsolationRules r;
  r.collector_addresses = {"10.0.0.5; flush ruleset"};
  CHECK(isolationRuleset(r).status().code() == ErrorCode::kInvalidArgument);
  r.collector_addresses = {"10.0.0.5"};
  r.dns_servers = {"collector.school"};
  CHECK(isolationRuleset(r).status().code() == ErrorCode::kInvalidArgument);
  r.dns_servers.clear();
  r.collector_port = 0;
  CHECK(isolationRuleset(r).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("enter, replace, leave twice with real nftables in a private namespace") {
  if (!commandExists("nft")) {
    MESSAGE("skipped: nft is not installed");
    return;
  }
  bool ran = testing::inFreshNetns([&] {
    auto iso = makeIsolation();
    auto active = iso->isActive();
    REQUIRE(active.isOk());
    CHECK_FALSE(*active);
    CHECK(iso->leave().isOk());  // nothing to remove: fine
    IsolationRules r;
    r.collector_addresses = {"127.0.0.1"};
    r.collector_port = 8443;
    REQUIRE(iso->enter(r).isOk());
    r.allow_dhcp = true;
    REQUIRE(iso->enter(r).isOk());  // replaced in one go
    active = iso->isActive();
    REQUIRE(active.isOk());
    CHECK(*active);
    auto listed = runCommand({"nft", "list", "table", "inet", "xiaoan_isolation"});
    REQUIRE(listed.isOk());
    CHECK(listed->out.find("udp dport 67") != std::string::npos);
    CHECK(iso->leave().isOk());
    CHECK(iso->leave().isOk());
    active = iso->isActive();
    REQUIRE(active.isOk());
    CHECK_FALSE(*active);
  });
  if (!ran) MESSAGE("skipped: needs root to make a network namespace");
}

TEST_CASE("resolving the collector: literals and names") {
  auto lit = resolveHostAddresses("10.0.0.5");
  REQUIRE(lit.isOk());
  CHECK(*lit == std::vector<std::string>{"10.0.0.5"});
  auto local = resolveHostAddresses("localhost");
  REQUIRE(local.isOk());
  CHECK_FALSE(local->empty());
  CHECK(resolveHostAddresses("no-such-host.invalid").status().code() == ErrorCode::kNotFound);
}

}  // namespace xiaoan
