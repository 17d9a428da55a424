#include "agent/browsing/visit_builder.h"

#include "common/crypto/ed25519.h"
#include "common/net/domain_name.h"
#include "common/text/utf8.h"
#include "platform/file_util.h"

namespace xiaoan::agent::browsing {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxHostBytes = 255;

// Calls `visit` with each suffix of `host` on a label boundary, longest first, until it
// returns true.
template <typename Visit>
bool anySuffix(std::string_view host, Visit visit) {
  while (!host.empty()) {
    if (visit(host)) return true;
    const size_t dot = host.find('.');
    if (dot == std::string_view::npos) return false;
    host.remove_prefix(dot + 1);
  }
  return false;
}

}  // namespace

std::string sanitizeUtf8(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  while (i < text.size()) {
    char32_t c = 0;
    const size_t n = decodeUtf8(text, i, &c);
    const std::string_view piece = n == 0 ? kReplacement : text.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::string visitKey(const BrowserProfile& profile, int64_t unix_us, std::string_view url) {
  std::string input = profile.user;
  input += '\0';
  input += std::to_string(static_cast<int>(profile.browser));
  input += '\0';
  input += profile.profile;
  input += '\0';
  input += std::to_string(unix_us);
  input += '\0';
  input += url;
  return toHex(crypto::sha256(input).substr(0, 16));
}

std::string reduceUrl(std::string_view url, const std::string& host, v1::UrlDetail detail) {
  if (detail == v1::URL_DETAIL_NO_QUERY) return std::string(url.substr(0, url.find_first_of("?#")));
  if (detail != v1::URL_DETAIL_DOMAIN) return std::string(url);
  const size_t colon = url.find(':');
  const std::string scheme(url.substr(0, colon == std::string_view::npos ? 0 : colon));
  return host.empty() ? scheme + ":" : scheme + "://" + host + "/";
}

bool hostInDomain(std::string_view host, std::string_view domain) {
  return anySuffix(host, [&](std::string_view suffix) { return suffix == domain; });
}

VisitBuilder::VisitBuilder(const v1::BrowsingPolicy& policy) {
  if (policy.url_detail() != v1::URL_DETAIL_UNSPECIFIED) detail_ = policy.url_detail();
  if (policy.has_include_synced()) include_synced_ = policy.include_synced();
  for (const std::string& d : policy.exclude_domains()) {
    if (auto n = net::normalizeDomain(d)) excluded_.insert(std::move(*n));
  }
}

bool VisitBuilder::excluded(std::string_view host) const {
  if (excluded_.empty()) return false;
  return anySuffix(
      host, [&](std::string_view suffix) { return excluded_.contains(std::string(suffix)); });
}

std::optional<v1::BrowsingVisit> VisitBuilder::build(const BrowserProfile& profile,
                                                     const RawVisit& raw) const {
  if (record_nothing_ || raw.subframe || (raw.synced && !include_synced_)) return std::nullopt;
  const std::string host = sanitizeUtf8(net::urlHost(raw.url), kMaxHostBytes);
  if (excluded(host)) return std::nullopt;
  v1::BrowsingVisit v;
  v.set_key(visitKey(profile, raw.unix_us, raw.url));
  v.set_user(sanitizeUtf8(profile.user, 256));
  v.set_browser(profile.browser);
  v.set_profile(sanitizeUtf8(profile.profile, 256));
  v.set_url(sanitizeUtf8(reduceUrl(raw.url, host, detail_), kMaxUrlBytes));
  v.set_domain(host);
  if (detail_ != v1::URL_DETAIL_DOMAIN) v.set_title(sanitizeUtf8(raw.title, kMaxTitleBytes));
  const int64_t seconds =
      raw.unix_us >= 0 ? raw.unix_us / 1000000 : (raw.unix_us - 999999) / 1000000;
  v.mutable_visit_time()->set_seconds(seconds);
  v.mutable_visit_time()->set_nanos(static_cast<int32_t>((raw.unix_us - seconds * 1000000) * 1000));
  v.set_transition(raw.transition);
  v.set_duration_ms(raw.duration_ms);
  v.set_synced(raw.synced);
  return v;
}

}  // namespace xiaoan::agent::browsing
