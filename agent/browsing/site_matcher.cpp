#include "agent/browsing/site_matcher.h"

#include "common/net/domain_name.h"

namespace xiaoan::agent::browsing {

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

SiteMatcher::SiteMatcher(const v1::BrowsingPolicy& policy) {
  for (const v1::SiteRule& r : policy.site_rules()) {
    if (r.category() == v1::SITE_CATEGORY_UNSPECIFIED) continue;
    const size_t index = rules_.size();
    rules_.push_back({r.category(), r.block()});
    for (const std::string& d : r.domains()) {
      if (auto n = net::normalizeDomain(d)) domains_.try_emplace(std::move(*n), index);
    }
    for (const std::string& k : r.url_keywords()) {
      if (!k.empty()) url_keywords_.push_back({asciiLower(k), index});
    }
    for (const std::string& k : r.title_keywords()) {
      if (!k.empty()) title_keywords_.push_back({asciiLower(k), index});
    }
  }
}

std::optional<SiteMatch> SiteMatcher::keywordMatch(const std::vector<Keyword>& keywords,
                                                   std::string_view text,
                                                   v1::SiteMatchField field) const {
  if (keywords.empty() || text.empty()) return std::nullopt;
  const std::string lowered = asciiLower(text);
  for (const Keyword& k : keywords) {
    if (lowered.find(k.lowered) != std::string::npos) {
      const Rule& r = rules_[k.rule];
      return SiteMatch{r.category, field, k.lowered, r.block};
    }
  }
  return std::nullopt;
}

std::optional<SiteMatch> SiteMatcher::match(std::string_view host, std::string_view url,
                                            std::string_view title) const {
  if (rules_.empty()) return std::nullopt;
  std::string_view suffix = host;
  std::string probe;
  while (!suffix.empty() && !domains_.empty()) {
    probe.assign(suffix);
    if (auto it = domains_.find(probe); it != domains_.end()) {
      const Rule& r = rules_[it->second];
      return SiteMatch{r.category, v1::SITE_MATCH_FIELD_DOMAIN, it->first, r.block};
    }
    const size_t dot = suffix.find('.');
    if (dot == std::string_view::npos) break;
    suffix.remove_prefix(dot + 1);
  }
  if (auto m = keywordMatch(url_keywords_, url, v1::SITE_MATCH_FIELD_URL_KEYWORD)) return m;
  return keywordMatch(title_keywords_, title, v1::SITE_MATCH_FIELD_TITLE_KEYWORD);
}

}  // namespace xiaoan::agent::browsing
