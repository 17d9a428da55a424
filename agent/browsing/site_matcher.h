#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xiaoan/v1/browsing.pb.h"
#include "xiaoan/v1/policy.pb.h"

// Harmful-site rules of the policy against visits: a domain listed in a rule matches itself and
// every subdomain on whole labels ("bet.com": "www.bet.com", never "notbet.com"), looked up
// in one hash table of every rule's domains (10 000 domains cost one lookup per label of the
// host); URL keywords match anywhere in the URL and title keywords anywhere in the title, both
// ignoring ASCII case (Chinese keywords match as written).
namespace xiaoan::agent::browsing {

struct SiteMatch {
  v1::SiteCategory category = v1::SITE_CATEGORY_UNSPECIFIED;
  v1::SiteMatchField field = v1::SITE_MATCH_FIELD_UNSPECIFIED;
  std::string pattern;  // the rule's domain or keyword, as normalised
  bool block = false;   // the rule's category is in block mode
};

class SiteMatcher {
 public:
  SiteMatcher() = default;
  explicit SiteMatcher(const v1::BrowsingPolicy& policy);

  // The first match: a domain before a URL keyword before a title keyword, and within one kind
  // the earlier rule. nullopt when nothing matches. `host` is lower case (VisitBuilder).
  std::optional<SiteMatch> match(std::string_view host, std::string_view url,
                                 std::string_view title) const;
  size_t domainCount() const { return domains_.size(); }
  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    v1::SiteCategory category;
    bool block;
  };
  struct Keyword {
    std::string lowered;
    size_t rule;
  };
  std::optional<SiteMatch> keywordMatch(const std::vector<Keyword>& keywords, std::string_view text,
                                        v1::SiteMatchField field) const;

  std::vector<Rule> rules_;
  std::unordered_map<std::string, size_t> domains_;  // domain -> first rule listing it
  std::vector<Keyword> url_keywords_, title_keywords_;
};

// ASCII letters folded to lower case; other bytes (UTF-8 Chinese) unchanged.
std::string asciiLower(std::string_view s);

}  // namespace xiaoan::agent::browsing
