// BrowsingPolicy validation: every field's bounds from policy.proto, with the field path.
#include <doctest/doctest.h>

#include "common/policy/policy_rules.h"

namespace xiaoan::policy {
namespace {

std::vector<FieldIssue> issuesOf(const v1::BrowsingPolicy& b) {
  v1::Policy p;
  *p.mutable_browsing() = b;
  return validatePolicy(p);
}

void expectOne(const v1::BrowsingPolicy& b, const std::string& field) {
  auto issues = issuesOf(b);
  INFO(field << ": " << summarizeIssues(issues, 10));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].field == field);
  CHECK_FALSE(issues[0].message.empty());
}

v1::SiteRule rule(v1::SiteCategory category) {
  v1::SiteRule r;
  r.set_category(category);
  return r;
}

TEST_CASE("browsing: a full valid policy has no issue") {
  v1::BrowsingPolicy b;
  b.set_enabled(true);
  b.set_poll_interval_seconds(60);
  b.set_url_detail(v1::URL_DETAIL_NO_QUERY);
  b.add_exclude_domains("School.EDU.cn.");
  b.set_include_synced(false);
  auto* r = b.add_site_rules();
  *r = rule(v1::SITE_CATEGORY_GAMBLING);
  r->add_domains("bet.com");
  r->add_url_keywords("casino");
  r->add_title_keywords("赌博");
  r->set_block(true);
  *b.add_site_rules() = rule(v1::SITE_CATEGORY_GAMES);
  CHECK(issuesOf(b).empty());
}

TEST_CASE("browsing: poll interval 60..86400 and a known URL detail") {
  v1::BrowsingPolicy b;
  b.set_poll_interval_seconds(59);
  expectOne(b, "browsing.poll_interval_seconds");
  b.set_poll_interval_seconds(86401);
  expectOne(b, "browsing.poll_interval_seconds");
  b.set_poll_interval_seconds(86400);
  CHECK(issuesOf(b).empty());
  b.set_url_detail(static_cast<v1::UrlDetail>(9));
  expectOne(b, "browsing.url_detail");
}

TEST_CASE("browsing: excluded domains are domain names, at most 1000") {
  v1::BrowsingPolicy b;
  b.add_exclude_domains("ok.cn");
  b.add_exclude_domains("not a domain");
  expectOne(b, "browsing.exclude_domains[1]");
  v1::BrowsingPolicy many;
  for (int i = 0; i < 1001; ++i) many.add_exclude_domains("d" + std::to_string(i) + ".cn");
  expectOne(many, "browsing.exclude_domains");
  many.mutable_exclude_domains()->RemoveLast();
  CHECK(issuesOf(many).empty());
}

TEST_CASE("browsing: one rule per known category, at most 20 rules") {
  v1::BrowsingPolicy b;
  *b.add_site_rules() = rule(v1::SITE_CATEGORY_UNSPECIFIED);
  expectOne(b, "browsing.site_rules[0].category");
  b.clear_site_rules();
  *b.add_site_rules() = rule(static_cast<v1::SiteCategory>(99));
  expectOne(b, "browsing.site_rules[0].category");
  b.clear_site_rules();
  *b.add_site_rules() = rule(v1::SITE_CATEGORY_CULTS);
  *b.add_site_rules() = rule(v1::SITE_CATEGORY_CULTS);
  expectOne(b, "browsing.site_rules[1].category");
  v1::BrowsingPolicy many;
  for (int i = 0; i < 21; ++i) *many.add_site_rules() = rule(v1::SITE_CATEGORY_OTHER);
  auto issues = issuesOf(many);
  REQUIRE_FALSE(issues.empty());
  CHECK(issues[0].field == "browsing.site_rules");
}

TEST_CASE("browsing: rule domains and keywords bounded") {
  v1::BrowsingPolicy b;
  auto* r = b.add_site_rules();
  r->set_category(v1::SITE_CATEGORY_PORNOGRAPHY);
  r->add_domains("bad..cn");
  expectOne(b, "browsing.site_rules[0].domains[0]");
  r->clear_domains();
  for (int i = 0; i < 10001; ++i) r->add_domains("d" + std::to_string(i) + ".cn");
  expectOne(b, "browsing.site_rules[0].domains");
  r->clear_domains();
  r->add_url_keywords("x");  // URL keywords: 2..200 bytes
  expectOne(b, "browsing.site_rules[0].url_keywords[0]");
  r->clear_url_keywords();
  r->add_url_keywords(std::string(201, 'x'));
  expectOne(b, "browsing.site_rules[0].url_keywords[0]");
  r->clear_url_keywords();
  r->add_title_keywords("赌");  // one Chinese character is 3 bytes: fine
  r->add_title_keywords("");
  expectOne(b, "browsing.site_rules[0].title_keywords[1]");
  r->clear_title_keywords();
  r->add_title_keywords(std::string("\xff\xfe", 2));
  expectOne(b, "browsing.site_rules[0].title_keywords[0]");
  r->clear_title_keywords();
  r->add_title_keywords("a\nb");
  expectOne(b, "browsing.site_rules[0].title_keywords[0]");
  r->clear_title_keywords();
  for (int i = 0; i < 1001; ++i) r->add_title_keywords("k");
  expectOne(b, "browsing.site_rules[0].title_keywords");
}

}  // namespace
}  // namespace xiaoan::policy
