#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/browser_policy.h"
#include "xiaoan/v1/browsing.pb.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::agent::blocking {

// Chrome reads at most this many URLBlocklist entries; the rest would be ignored silently, so
// we cut the list ourselves and say so in status.
inline constexpr size_t kChromiumBlocklistLimit = 1000;

// The domains the policy blocks: those of every site rule in block mode, lower case, without
// duplicates or names already covered by a listed parent domain, sorted.
std::vector<std::string> blockedDomains(const v1::BrowsingPolicy& policy);

// The managed-policy documents (compact, stable JSON):
//   Chromium family: {"URLBlocklist":["bet.com",...]} (a bare host blocks it and its subdomains)
//   Firefox:         {"policies":{"WebsiteFilter":{"Block":["*://bet.com/*","*://*.bet.com/*"]}}}
std::string chromiumPolicyJson(const std::vector<std::string>& domains);
std::string firefoxPolicyJson(const std::vector<std::string>& domains);

// Blocks harmful sites through the browsers' own enterprise policies: writes our policy file
// for every managed browser while the policy blocks something, and removes it when it no longer
// does. Only our own files are touched: a Firefox policies.json that we did not write (its
// SHA-256 is not the one we recorded in `state_path`) is left alone and reported as not
// covered. Coverage per browser is kept for status, because a blocked attempt is not a visit:
// an uncovered browser is where a blocked site can still be reached.
// Threading: every method may be called from any thread.
class SiteBlocker {
 public:
  SiteBlocker(BrowserPolicyStore& store, std::string state_path);

  // Puts the policy's blocking into effect (null: nothing is blocked).
  void apply(const v1::BrowsingPolicy* policy);
  std::vector<v1::BrowserBlockCoverage> coverage() const;
  uint32_t blockedDomainCount() const;

 private:
  v1::BrowserBlockCoverage applyOne(ManagedBrowser browser,
                                    const std::vector<std::string>& domains);
  std::optional<std::string> ownFirefoxHash() const;

  BrowserPolicyStore& store_;
  const std::string state_path_;
  mutable std::mutex mu_;
  std::vector<v1::BrowserBlockCoverage> coverage_;
  uint32_t blocked_ = 0;
};

}  // namespace xiaoan::agent::blocking
