#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "agent/browsing/history_reader.h"
#include "agent/browsing/profile_discovery.h"
#include "xiaoan/v1/browsing.pb.h"
#include "xiaoan/v1/policy.pb.h"

// Turns a visit read from a database into the BrowsingVisit that is sent: the stable key, the
// host, the URL reduced as the policy asks, text made valid UTF-8 within the caps; and decides
// which visits are not sent at all (subframes, excluded domains, synced visits when not wanted).
namespace xiaoan::agent::browsing {

// Bytes as valid UTF-8: each invalid sequence becomes U+FFFD, and the text is cut at a
// character boundary to at most `max_bytes`.
std::string sanitizeUtf8(std::string_view text, size_t max_bytes);

// Lower-case hex of the first 16 bytes of SHA-256 over user, browser number, profile, visit
// time (µs since 1970, decimal) and the URL as read, separated by NUL bytes (browsing.proto).
std::string visitKey(const BrowserProfile& profile, int64_t unix_us, std::string_view url);

// The URL as `detail` keeps it: whole, without query and fragment, or "scheme://host/".
std::string reduceUrl(std::string_view url, const std::string& host, v1::UrlDetail detail);

// True when `host` is `domain` or one of its subdomains (whole labels only).
bool hostInDomain(std::string_view host, std::string_view domain);

class VisitBuilder {
 public:
  // The policy's URL detail, excluded domains (normalised; invalid ones ignored, the validator
  // refuses them) and synced-visit choice (unset = defaults: full URLs, synced kept).
  explicit VisitBuilder(const v1::BrowsingPolicy& policy);
  // While collection is off: builds nothing, so that a poll only moves the cursors past what
  // the users browse meanwhile (turned back on, nothing of that time is sent).
  static VisitBuilder recordingNothing() {
    VisitBuilder b{v1::BrowsingPolicy()};
    b.record_nothing_ = true;
    return b;
  }

  // The visit to send; nullopt for one that is not sent.
  std::optional<v1::BrowsingVisit> build(const BrowserProfile& profile, const RawVisit& raw) const;
  // Whether `host` or a parent of it is excluded.
  bool excluded(std::string_view host) const;

 private:
  v1::UrlDetail detail_ = v1::URL_DETAIL_FULL;
  bool include_synced_ = true;
  bool record_nothing_ = false;
  std::unordered_set<std::string> excluded_;
};

}  // namespace xiaoan::agent::browsing
