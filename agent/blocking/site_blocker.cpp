#include "agent/blocking/site_blocker.h"

#include <algorithm>
#include <set>

#include "common/crypto/ed25519.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::blocking {
namespace {

auto log() { return componentLogger(LogComponent::kAgentCore); }

// A host name we can put into a policy file as is: LDH labels (IDNs in their xn-- form).
std::optional<std::string> hostName(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  while (!s.empty() && s.back() == '.') s.pop_back();
  if (s.empty() || s.size() > 253 || s.front() == '.') return std::nullopt;
  size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return std::nullopt;
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return std::nullopt;
    if (++label > 63) return std::nullopt;
  }
  return s;
}

bool coveredByParent(const std::string& host, const std::set<std::string>& all) {
  for (size_t dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1)) {
    if (all.count(host.substr(dot + 1))) return true;
  }
  return false;
}

std::string jsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"' + items[i] + '"';  // host names and patterns only: nothing to escape
  }
  return out + "]";
}

v1::BrowserKind kindOf(ManagedBrowser b) {
  switch (b) {
    case ManagedBrowser::kChrome:
      return v1::BROWSER_KIND_CHROME;
    case ManagedBrowser::kChromium:
      return v1::BROWSER_KIND_CHROMIUM;
    case ManagedBrowser::kEdge:
      return v1::BROWSER_KIND_EDGE;
    case ManagedBrowser::kFirefox:
      return v1::BROWSER_KIND_FIREFOX;
  }
  return v1::BROWSER_KIND_UNSPECIFIED;
}

constexpr size_t kMaxStateBytes = 256;

}  // namespace

std::vector<std::string> blockedDomains(const v1::BrowsingPolicy& policy) {
  std::set<std::string> all;
  for (const auto& rule : policy.site_rules()) {
    if (!rule.block()) continue;
    for (const auto& d : rule.domains()) {
      auto host = hostName(d);
      if (host) {
        all.insert(*host);
      } else {
        log()->warn("site blocking: '{}' is not a host name; not blocked", d);
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& host : all) {
    if (!coveredByParent(host, all)) out.push_back(host);
  }
  return out;
}

std::string chromiumPolicyJson(const std::vector<std::string>& domains) {
  return "{\"URLBlocklist\":" + jsonList(domains) + "}\n";
}

std::string firefoxPolicyJson(const std::vector<std::string>& domains) {
  std::vector<std::string> patterns;
  patterns.reserve(domains.size() * 2);
  for (const auto& d : domains) {
    patterns.push_back("*://" + d + "/*");
    patterns.push_back("*://*." + d + "/*");
  }
  return "{\"policies\":{\"WebsiteFilter\":{\"Block\":" + jsonList(patterns) + "}}}\n";
}

SiteBlocker::SiteBlocker(BrowserPolicyStore& store, std::string state_path)
    : store_(store), state_path_(std::move(state_path)) {}

void SiteBlocker::apply(const v1::BrowsingPolicy* policy) {
  const std::vector<std::string> domains =
      policy ? blockedDomains(*policy) : std::vector<std::string>();
  std::lock_guard lock(mu_);
  coverage_.clear();
  for (ManagedBrowser b : kManagedBrowsers) coverage_.push_back(applyOne(b, domains));
  blocked_ = static_cast<uint32_t>(domains.size());
}

v1::BrowserBlockCoverage SiteBlocker::applyOne(ManagedBrowser browser,
                                               const std::vector<std::string>& domains) {
  v1::BrowserBlockCoverage c;
  c.set_browser(kindOf(browser));
  c.set_installed(store_.installed(browser));
  const bool firefox = browser == ManagedBrowser::kFirefox;
  auto existing = store_.read(browser);
  if (!existing.isOk()) {
    c.set_reason("unreadable: " + existing.status().toString());
    return c;
  }
  const std::optional<std::string>& now = existing.value();
  // A Firefox policies.json is one file for every policy: ours only if we wrote these bytes.
  const bool ours = !firefox || !now || ownFirefoxHash() == toHex(crypto::sha256(*now));
  if (domains.empty()) {
    if (now && ours) {
      auto st = store_.remove(browser);
      if (!st.isOk()) log()->warn("site blocking: {}", st.toString());
    }
    c.set_reason("nothing_blocked");
    return c;
  }
  if (!ours) {
    c.set_policy_file(store_.location(browser));
    c.set_reason("foreign_policy_file");
    return c;
  }
  std::vector<std::string> listed = domains;
  if (!firefox && listed.size() > kChromiumBlocklistLimit) listed.resize(kChromiumBlocklistLimit);
  const std::string json = firefox ? firefoxPolicyJson(listed) : chromiumPolicyJson(listed);
  if (!now || *now != json) {
    if (firefox) {
      // Recorded before the write: a crash in between leaves a file we still recognise.
      auto st = atomicWriteFile(state_path_, toHex(crypto::sha256(json)));
      if (!st.isOk()) {
        c.set_reason("write_failed: " + st.toString());
        return c;
      }
    }
    auto st = store_.write(browser, json);
    if (!st.isOk()) {
      log()->warn("site blocking: {}", st.toString());
      c.set_reason("write_failed: " + st.toString());
      return c;
    }
    log()->info("site blocking: {} domains in {}", listed.size(), store_.location(browser));
  }
  c.set_covered(true);
  c.set_policy_file(store_.location(browser));
  if (listed.size() < domains.size()) c.set_reason("limit_" + std::to_string(listed.size()));
  if (!c.installed() && c.reason().empty()) c.set_reason("not_installed");
  return c;
}

std::optional<std::string> SiteBlocker::ownFirefoxHash() const {
  auto text = readFile(state_path_, kMaxStateBytes);
  if (!text.isOk()) return std::nullopt;
  return text.value();
}

std::vector<v1::BrowserBlockCoverage> SiteBlocker::coverage() const {
  std::lock_guard lock(mu_);
  return coverage_;
}

uint32_t SiteBlocker::blockedDomainCount() const {
  std::lock_guard lock(mu_);
  return blocked_;
}

}  // namespace xiaoan::agent::blocking
