// Site blocking through the browsers' managed policies, against the Linux BrowserPolicyStore on
// a directory standing in for "/": the files appear with exactly the expected JSON, follow the
// policy, and are removed when nothing is blocked; a Firefox policies.json that is not ours is
// never touched.
#include "agent/blocking/site_blocker.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "platform/file_util.h"

using namespace xiaoan;
using xiaoan::agent::blocking::blockedDomains;
using xiaoan::agent::blocking::chromiumPolicyJson;
using xiaoan::agent::blocking::firefoxPolicyJson;
using xiaoan::agent::blocking::SiteBlocker;
namespace fs = std::filesystem;

namespace {

struct Root {
  Root() {
    path = fs::temp_directory_path() / ("xiaoan-block-" + toHex(randomBytes(6).value()));
    fs::create_directories(path / "state");
  }
  ~Root() { fs::remove_all(path); }
  void install(const std::string& program) {
    fs::create_directories((path / program.substr(1)).parent_path());
    REQUIRE(atomicWriteFile((path / program.substr(1)).string(), "#!/bin/sh\n", 0755).isOk());
  }
  std::string read(const std::string& rel) const {
    auto r = readFile((path / rel.substr(1)).string(), 1 << 20);
    return r.isOk() ? r.value() : "<absent>";
  }
  fs::path path;
};

v1::BrowsingPolicy policyBlocking(std::vector<std::string> domains, bool block = true) {
  v1::BrowsingPolicy p;
  auto* rule = p.add_site_rules();
  rule->set_category(v1::SITE_CATEGORY_GAMBLING);
  for (auto& d : domains) rule->add_domains(d);
  rule->add_url_keywords("casino");
  rule->set_block(block);
  return p;
}

v1::BrowserBlockCoverage coverageOf(const std::vector<v1::BrowserBlockCoverage>& all,
                                    v1::BrowserKind kind) {
  for (const auto& c : all) {
    if (c.browser() == kind) return c;
  }
  FAIL("no coverage entry");
  return all.front();
}

constexpr const char* kChromium = "/etc/chromium/policies/managed/xiaoan-site-block.json";
constexpr const char* kChrome = "/etc/opt/chrome/policies/managed/xiaoan-site-block.json";
constexpr const char* kFirefox = "/etc/firefox/policies/policies.json";

}  // namespace

TEST_CASE("the blocked domains: block-mode rules only, normalised, parents absorb subdomains") {
  v1::BrowsingPolicy p =
      policyBlocking({"WWW.Bet.com", "bet.com", "casino.example.", "bad domain"});
  auto* alert_only = p.add_site_rules();
  alert_only->set_category(v1::SITE_CATEGORY_GAMES);
  alert_only->add_domains("game.cn");
  CHECK(blockedDomains(p) == std::vector<std::string>{"bet.com", "casino.example"});
  CHECK(chromiumPolicyJson({"bet.com", "x.cn"}) == "{\"URLBlocklist\":[\"bet.com\",\"x.cn\"]}\n");
  CHECK(firefoxPolicyJson({"bet.com"}) ==
        "{\"policies\":{\"WebsiteFilter\":{\"Block\":[\"*://bet.com/*\",\"*://*.bet.com/*\"]}}}\n");
}

TEST_CASE("policy files are written, follow the policy and are removed when nothing is blocked") {
  Root root;
  root.install("/usr/bin/chromium");
  auto store = makeBrowserPolicyStore({root.path.string()});
  SiteBlocker blocker(*store, (root.path / "state/firefox.sha256").string());

  auto p = policyBlocking({"bet.com"});
  blocker.apply(&p);
  CHECK(root.read(kChromium) == "{\"URLBlocklist\":[\"bet.com\"]}\n");
  CHECK(root.read(kChrome) == "{\"URLBlocklist\":[\"bet.com\"]}\n");
  CHECK(root.read(kFirefox) == firefoxPolicyJson({"bet.com"}));
  CHECK(fs::status(root.path / (kChromium + 1)).permissions() ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
         fs::perms::others_read));
  auto cov = blocker.coverage();
  REQUIRE(cov.size() == 4);
  CHECK(coverageOf(cov, v1::BROWSER_KIND_CHROMIUM).installed());
  CHECK(coverageOf(cov, v1::BROWSER_KIND_CHROMIUM).covered());
  CHECK(coverageOf(cov, v1::BROWSER_KIND_CHROMIUM).reason().empty());
  CHECK_FALSE(coverageOf(cov, v1::BROWSER_KIND_CHROME).installed());
  CHECK(coverageOf(cov, v1::BROWSER_KIND_CHROME).reason() == "not_installed");
  CHECK(blocker.blockedDomainCount() == 1);

  p = policyBlocking({"bet.com", "lottery.cn"});
  blocker.apply(&p);
  CHECK(root.read(kChromium) == "{\"URLBlocklist\":[\"bet.com\",\"lottery.cn\"]}\n");
  CHECK(root.read(kFirefox) == firefoxPolicyJson({"bet.com", "lottery.cn"}));

  // The category goes back to alert only: every file of ours disappears.
  p = policyBlocking({"bet.com"}, false);
  blocker.apply(&p);
  for (const char* f : {kChromium, kChrome, kFirefox}) CHECK(root.read(f) == "<absent>");
  CHECK(blocker.blockedDomainCount() == 0);
  blocker.apply(nullptr);
  CHECK(root.read(kChromium) == "<absent>");
}

TEST_CASE("a Firefox policies.json written by someone else is left alone and reported") {
  Root root;
  auto store = makeBrowserPolicyStore({root.path.string()});
  const std::string foreign = "{\"policies\":{\"DisableTelemetry\":true}}\n";
  REQUIRE(store->write(ManagedBrowser::kFirefox, foreign).isOk());
  SiteBlocker blocker(*store, (root.path / "state/firefox.sha256").string());
  auto p = policyBlocking({"bet.com"});
  blocker.apply(&p);
  CHECK(root.read(kFirefox) == foreign);
  const auto ff = coverageOf(blocker.coverage(), v1::BROWSER_KIND_FIREFOX);
  CHECK_FALSE(ff.covered());
  CHECK(ff.reason() == "foreign_policy_file");
  blocker.apply(nullptr);
  CHECK(root.read(kFirefox) == foreign);  // not ours to remove either
  CHECK(root.read(kChromium) == "<absent>");
}

TEST_CASE("Chromium's list is cut at the browser's limit and status says so") {
  Root root;
  auto store = makeBrowserPolicyStore({root.path.string()});
  SiteBlocker blocker(*store, (root.path / "state/firefox.sha256").string());
  std::vector<std::string> many;
  for (int i = 0; i < 1200; ++i) many.push_back("site" + std::to_string(i) + ".example");
  auto p = policyBlocking(many);
  blocker.apply(&p);
  const auto chromium = coverageOf(blocker.coverage(), v1::BROWSER_KIND_CHROMIUM);
  CHECK(chromium.covered());
  CHECK(chromium.reason() == "limit_1000");
  CHECK(coverageOf(blocker.coverage(), v1::BROWSER_KIND_FIREFOX).reason() == "not_installed");
  CHECK(blocker.blockedDomainCount() == 1200);
}
