// What is sent of a visit (key, host, URL detail, UTF-8, exclusions, synced visits) and which
// harmful-site rule it matches.
#include <doctest/doctest.h>

#include <chrono>

#include "agent/browsing/site_matcher.h"
#include "agent/browsing/visit_builder.h"

namespace xiaoan::agent::browsing {
namespace {

BrowserProfile profile() {
  return {1000, "student", v1::BROWSER_KIND_EDGE, "Profile 1", "/h/History", false};
}

RawVisit raw(std::string url, std::string title = "t") {
  RawVisit v;
  v.id = 7;
  v.unix_us = 1767196800123456;
  v.url = std::move(url);
  v.title = std::move(title);
  v.transition = v1::VISIT_TRANSITION_TYPED;
  return v;
}

TEST_CASE("visit key: stable, 32 hex digits, over user, browser, profile, time and URL") {
  const std::string k = visitKey(profile(), 5, "https://a.cn/");
  CHECK(k.size() == 32);
  CHECK(k == visitKey(profile(), 5, "https://a.cn/"));
  CHECK(k != visitKey(profile(), 6, "https://a.cn/"));
  CHECK(k != visitKey(profile(), 5, "https://a.cn/x"));
  BrowserProfile other = profile();
  other.profile = "Default";
  CHECK(k != visitKey(other, 5, "https://a.cn/"));
  other = profile();
  other.browser = v1::BROWSER_KIND_CHROME;
  CHECK(k != visitKey(other, 5, "https://a.cn/"));
}

TEST_CASE("URL detail: full, without query and fragment, scheme and host only (no title)") {
  v1::BrowsingPolicy p;
  const RawVisit v = raw("https://User@Search.CN:8443/s?q=secret#frag", "搜索结果");
  auto full = VisitBuilder(p).build(profile(), v);
  REQUIRE(full);
  CHECK(full->url() == v.url);
  CHECK(full->domain() == "search.cn");
  CHECK(full->title() == "搜索结果");
  CHECK(full->key() == visitKey(profile(), v.unix_us, v.url));
  CHECK(full->visit_time().seconds() == 1767196800);
  CHECK(full->visit_time().nanos() == 123456000);
  p.set_url_detail(v1::URL_DETAIL_NO_QUERY);
  CHECK(VisitBuilder(p).build(profile(), v)->url() == "https://User@Search.CN:8443/s");
  CHECK(VisitBuilder(p).build(profile(), v)->title() == "搜索结果");
  p.set_url_detail(v1::URL_DETAIL_DOMAIN);
  auto domain = VisitBuilder(p).build(profile(), v);
  CHECK(domain->url() == "https://search.cn/");
  CHECK(domain->title().empty());
  CHECK(domain->key() == full->key());  // the key is over the URL as read
  CHECK(VisitBuilder(p).build(profile(), raw("about:blank"))->url() == "about:");
}

TEST_CASE("not sent: subframes, excluded domains with their subdomains, synced when not wanted") {
  v1::BrowsingPolicy p;
  p.add_exclude_domains("School.edu.CN");
  VisitBuilder b(p);
  RawVisit frame = raw("https://ads.cn/");
  frame.subframe = true;
  CHECK_FALSE(b.build(profile(), frame));
  CHECK_FALSE(b.build(profile(), raw("https://school.edu.cn/")));
  CHECK_FALSE(b.build(profile(), raw("https://mail.school.edu.cn/x")));
  CHECK(b.build(profile(), raw("https://notschool.edu.cn/")));
  CHECK(b.build(profile(), raw("https://school.edu.cn.evil.com/")));
  RawVisit synced = raw("https://phone.cn/");
  synced.synced = true;
  auto kept = b.build(profile(), synced);
  REQUIRE(kept);
  CHECK(kept->synced());
  p.set_include_synced(false);
  CHECK_FALSE(VisitBuilder(p).build(profile(), synced));
}

TEST_CASE("UTF-8: invalid bytes replaced, cut on a character boundary") {
  CHECK(sanitizeUtf8("abc", 10) == "abc");
  CHECK(sanitizeUtf8("a\xff"
                     "b",
                     10) ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(sanitizeUtf8("中文", 4) == "中");  // 3 bytes each: the second does not fit
  CHECK(sanitizeUtf8("\xe4\xb8", 10) == "\xEF\xBF\xBD\xEF\xBF\xBD");
  const std::string long_url = "https://a.cn/" + std::string(10000, 'x');
  auto v = VisitBuilder(v1::BrowsingPolicy()).build(profile(), raw(long_url));
  CHECK(v->url().size() == kMaxUrlBytes);
}

v1::BrowsingPolicy rules() {
  v1::BrowsingPolicy p;
  auto* gambling = p.add_site_rules();
  gambling->set_category(v1::SITE_CATEGORY_GAMBLING);
  gambling->add_domains("Bet.com");
  gambling->add_url_keywords("Casino");
  gambling->add_title_keywords("赌博");
  gambling->set_block(true);
  auto* games = p.add_site_rules();
  games->set_category(v1::SITE_CATEGORY_GAMES);
  games->add_domains("game.cn");
  games->add_domains("bet.com");  // listed twice: the first rule wins
  games->add_title_keywords("Game");
  return p;
}

TEST_CASE("site rules: domain suffix on label boundaries, keywords ignoring ASCII case") {
  SiteMatcher m(rules());
  auto d = m.match("www.bet.com", "https://www.bet.com/", "");
  REQUIRE(d);
  CHECK(d->category == v1::SITE_CATEGORY_GAMBLING);
  CHECK(d->field == v1::SITE_MATCH_FIELD_DOMAIN);
  CHECK(d->pattern == "bet.com");
  CHECK(d->block);
  CHECK(m.match("bet.com", "", ""));
  CHECK_FALSE(m.match("notbet.com", "https://notbet.com/", "hello"));
  CHECK_FALSE(m.match("bet.com.cn", "https://bet.com.cn/", ""));
  auto u = m.match("x.cn", "https://x.cn/CASINO-royal", "");
  REQUIRE(u);
  CHECK(u->field == v1::SITE_MATCH_FIELD_URL_KEYWORD);
  CHECK(u->pattern == "casino");
  auto t = m.match("x.cn", "https://x.cn/", "在线赌博平台");
  REQUIRE(t);
  CHECK(t->field == v1::SITE_MATCH_FIELD_TITLE_KEYWORD);
  CHECK(t->category == v1::SITE_CATEGORY_GAMBLING);
  auto g = m.match("play.game.cn", "https://play.game.cn/", "");
  REQUIRE(g);
  CHECK(g->category == v1::SITE_CATEGORY_GAMES);
  CHECK_FALSE(g->block);
  CHECK(m.match("y.cn", "https://y.cn/", "MY GAME")->category == v1::SITE_CATEGORY_GAMES);
  CHECK_FALSE(SiteMatcher().match("bet.com", "https://bet.com/", "赌博"));
}

TEST_CASE("site rules: 10 000 domains stay one lookup per label") {
  v1::BrowsingPolicy p;
  auto* r = p.add_site_rules();
  r->set_category(v1::SITE_CATEGORY_PORNOGRAPHY);
  for (int i = 0; i < 10000; ++i) r->add_domains("site" + std::to_string(i) + ".example");
  SiteMatcher m(p);
  CHECK(m.domainCount() == 10000);
  const auto start = std::chrono::steady_clock::now();
  int hits = 0;
  for (int i = 0; i < 100000; ++i) {
    hits +=
        m.match("www.site" + std::to_string(i % 20000) + ".example", "https://x/", "").has_value();
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  CHECK(hits == 50000);
  CHECK(ms < 2000);
}

}  // namespace
}  // namespace xiaoan::agent::browsing
