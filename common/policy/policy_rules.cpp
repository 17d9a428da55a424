#include "common/policy/policy_rules.h"

#include <algorithm>
#include <charconv>
#include <tuple>

#include "common/naming/name_template.h"
#include "common/net/domain_name.h"
#include "common/net/ipv4.h"
#include "common/text/utf8.h"

namespace xiaoan::policy {
namespace {

constexpr size_t kMaxScanPaths = 64;
constexpr size_t kMaxOnAccessPaths = 64;
constexpr size_t kMaxScanExclusions = 256;
// Not in policy.proto's comments: a day has few sensible windows, and the list must be bounded.
constexpr size_t kMaxScanWindows = 24;
constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxHostnameChars = 63;
constexpr size_t kMaxDnsServers = 4;
constexpr size_t kMaxNameValueBytes = 64;
// BrowsingPolicy bounds (policy.proto comments).
constexpr int kMaxExcludeDomains = 1000;
constexpr int kMaxSiteRules = 20;
constexpr int kMaxRuleDomains = 10000;
constexpr int kMaxRuleKeywords = 1000;
constexpr size_t kMaxKeywordBytes = 200;
constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

using Issues = std::vector<FieldIssue>;

// The retention fields in RetentionKind order, with the floor each must respect and why.
struct RetentionField {
  const char* name;
  uint32_t floor_days;
  const char* rule;
};
constexpr RetentionField kRetentionFields[] = {
    {"browsing_days", 60, "county rule: browsing records of every terminal kept 60 days"},
    {"security_days", 180, "county rule: security logs kept 180 days"},
    {"session_days", 60, "county rule: lab seat records (上机记录) kept 60 days"},
    {"activity_days", 30, "activity events are kept at least 30 days"},
};

void checkRange(Issues& out, const std::string& field, bool has, uint64_t value, uint64_t min,
                uint64_t max) {
  if (!has || (value >= min && value <= max)) return;
  out.push_back({field, "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " +
                            std::to_string(value)});
}

void checkAction(Issues& out, const std::string& field, int action) {
  if (!v1::EnforcementAction_IsValid(action)) {
    out.push_back({field, "unknown enforcement action " + std::to_string(action)});
  }
}

bool isLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// "aa:bb:cc:dd:ee:ff", lower case.
bool isMac(std::string_view s) {
  if (s.size() != 17) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i % 3 == 2 ? s[i] != ':' : !isLowerHex(s[i])) return false;
  }
  return true;
}

// Decimal in [0, max] without sign or leading zeros.
bool isDecimal(std::string_view s, unsigned max) {
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && isDigit(s[0]) && ec == std::errc() && ptr == s.data() + s.size() &&
         v <= max && (s.size() == 1 || s[0] != '0');
}

bool isIpv4(std::string_view s) {
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos || !isDecimal(s.substr(0, dot), 255)) return false;
    s = i < 3 ? s.substr(dot + 1) : std::string_view();
  }
  return true;
}

bool isIpv4Cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view prefix = s.substr(slash + 1);
  return isIpv4(s.substr(0, slash)) && isDecimal(prefix, 32) && prefix != "0";
}

// Whether `address` lies inside the subnet of `cidr` (both already validated).
bool sameSubnet(std::string_view cidr, std::string_view address) {
  size_t slash = cidr.find('/');
  auto net = net::parseIpv4(cidr.substr(0, slash));
  auto host = net::parseIpv4(address);
  unsigned prefix = 0;
  std::from_chars(cidr.data() + slash + 1, cidr.data() + cidr.size(), prefix);
  if (!net || !host || prefix == 0 || prefix > 32) return false;
  uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
  return (*net & mask) == (*host & mask);
}

bool isHostname(std::string_view s) {
  return !s.empty() && s.size() <= kMaxHostnameChars && s.front() != '-' && s.back() != '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

// Why a naming pattern is invalid; empty when it is fine. The naming module's parser decides, so
// the validator, the agent and the collector accept the same templates (the naming module then
// renders them and checks the OS limits).
std::string patternProblem(std::string_view p) {
  auto parsed = naming::parseTemplate(p);
  return parsed.isOk() ? std::string() : parsed.status().message();
}

bool hasControlChar(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// "/..." or a Windows drive path "C:\..." / "C:/...".
bool isAbsolutePath(std::string_view s) {
  if (!s.empty() && s[0] == '/') return true;
  return s.size() >= 3 && isAlnum(s[0]) && !isDigit(s[0]) && s[1] == ':' &&
         (s[2] == '\\' || s[2] == '/');
}

// "HH:MM", 00:00..23:59.
bool isClockTime(std::string_view s) {
  return s.size() == 5 && s[2] == ':' && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[3]) &&
         isDigit(s[4]) && (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

void checkAgent(Issues& out, const v1::AgentSettings& a) {
  checkRange(out, "agent.checkin_interval_seconds", a.has_checkin_interval_seconds(),
             a.checkin_interval_seconds(), 10, 86400);
  checkRange(out, "agent.max_upload_events_per_second", a.has_max_upload_events_per_second(),
             a.max_upload_events_per_second(), 10, 100000);
}

void checkBinding(Issues& out, const v1::BindingPolicy& b) {
  if (!v1::BindingMode_IsValid(b.mode())) {
    out.push_back({"binding.mode", "unknown binding mode " + std::to_string(b.mode())});
  }
  if (b.has_mac() && !isMac(b.mac())) {
    out.push_back({"binding.mac", "must be a lower-case MAC like aa:bb:cc:dd:ee:ff"});
  }
  if (b.has_ipv4() && !isIpv4Cidr(b.ipv4())) {
    out.push_back({"binding.ipv4", "must be an IPv4 address with prefix like 10.1.2.3/24"});
  }
  if (b.has_gateway() && !isIpv4(b.gateway())) {
    out.push_back({"binding.gateway", "must be an IPv4 address like 10.1.2.1"});
  }
  if (b.dns_size() > static_cast<int>(kMaxDnsServers)) {
    out.push_back({"binding.dns", "at most " + std::to_string(kMaxDnsServers) + " entries, got " +
                                      std::to_string(b.dns_size())});
  }
  for (int i = 0; i < b.dns_size(); ++i) {
    if (!isIpv4(b.dns(i))) {
      out.push_back(
          {"binding.dns[" + std::to_string(i) + "]", "must be an IPv4 address like 10.1.0.53"});
    }
  }
  checkRange(out, "binding.grace_seconds", b.has_grace_seconds(), b.grace_seconds(), 0, 86400);
  checkRange(out, "binding.check_interval_seconds", b.has_check_interval_seconds(),
             b.check_interval_seconds(), 10, 86400);
  if (b.has_ipv4() && b.has_gateway() && isIpv4Cidr(b.ipv4()) && isIpv4(b.gateway()) &&
      !sameSubnet(b.ipv4(), b.gateway())) {
    out.push_back({"binding.gateway", "must lie inside the subnet of binding.ipv4"});
  }
}

void checkNaming(Issues& out, const v1::NamingPolicy& n) {
  checkAction(out, "naming.action", n.action());
  if (n.has_pattern()) {
    std::string problem = patternProblem(n.pattern());
    if (!problem.empty()) out.push_back({"naming.pattern", problem});
  }
  if (n.has_fallback()) {
    std::string problem = patternProblem(n.fallback());
    if (!problem.empty()) out.push_back({"naming.fallback", problem});
  }
  checkRange(out, "naming.seat", n.has_seat(), n.seat(), 1, 9999);
  for (auto [field, has, value] :
       {std::tuple{"naming.owner", n.has_owner(), &n.owner()},
        std::tuple{"naming.room", n.has_room(), &n.room()},
        std::tuple{"naming.school_abbr", n.has_school_abbr(), &n.school_abbr()}}) {
    if (has && (value->empty() || value->size() > kMaxNameValueBytes || hasControlChar(*value))) {
      out.push_back({field, "must be 1..64 bytes without control characters"});
    }
  }
  if (n.has_hostname() && !isHostname(n.hostname())) {
    out.push_back({"naming.hostname",
                   "must be 1..63 letters, digits or '-', not starting or "
                   "ending with '-'"});
  }
}

void checkPathList(Issues& out, const std::string& field,
                   const google::protobuf::RepeatedPtrField<std::string>& list, size_t max,
                   bool absolute) {
  if (list.size() > static_cast<int>(max)) {
    out.push_back(
        {field, "at most " + std::to_string(max) + " entries, got " + std::to_string(list.size())});
  }
  for (int i = 0; i < list.size(); ++i) {
    const std::string& p = list[i];
    std::string path = field + "[" + std::to_string(i) + "]";
    if (p.empty() || p.size() > kMaxPathBytes || hasControlChar(p)) {
      out.push_back({path, "must be 1..4096 bytes without control characters"});
    } else if (absolute && !isAbsolutePath(p)) {
      out.push_back({path, "must be an absolute path"});
    }
  }
}

// On-access paths are absolute, or "~/..." for every local user's home.
void checkOnAccessPaths(Issues& out, const google::protobuf::RepeatedPtrField<std::string>& list) {
  checkPathList(out, "scan.on_access_paths", list, kMaxOnAccessPaths, false);
  for (int i = 0; i < list.size(); ++i) {
    const std::string& p = list[i];
    if (p.empty() || p.size() > kMaxPathBytes || hasControlChar(p)) continue;  // said above
    if (!isAbsolutePath(p) && p.rfind("~/", 0) != 0) {
      out.push_back({"scan.on_access_paths[" + std::to_string(i) + "]",
                     "must be an absolute path or start with ~/ (every user's home)"});
    }
  }
}

void checkWindows(Issues& out, const google::protobuf::RepeatedPtrField<v1::TimeWindow>& list) {
  if (list.size() > static_cast<int>(kMaxScanWindows)) {
    out.push_back({"scan.windows", "at most " + std::to_string(kMaxScanWindows) + " entries, got " +
                                       std::to_string(list.size())});
  }
  for (int i = 0; i < list.size(); ++i) {
    std::string path = "scan.windows[" + std::to_string(i) + "]";
    const auto& w = list[i];
    if (!isClockTime(w.start())) out.push_back({path + ".start", "must be HH:MM, 00:00..23:59"});
    if (!isClockTime(w.end())) out.push_back({path + ".end", "must be HH:MM, 00:00..23:59"});
    if (w.start() == w.end() && isClockTime(w.start())) {
      out.push_back({path, "start equals end: the window is empty"});
    }
  }
}

void checkScan(Issues& out, const v1::ScanPolicy& s) {
  checkAction(out, "scan.action", s.action());
  checkPathList(out, "scan.paths", s.paths(), kMaxScanPaths, true);
  checkPathList(out, "scan.exclusions", s.exclusions(), kMaxScanExclusions, false);
  checkWindows(out, s.windows());
  checkRange(out, "scan.cpu_percent", s.has_cpu_percent(), s.cpu_percent(), 1, 100);
  checkRange(out, "scan.max_file_bytes", s.has_max_file_bytes(), s.max_file_bytes(), kMiB,
             4 * kGiB);
  checkRange(out, "scan.full_scan_interval_days", s.has_full_scan_interval_days(),
             s.full_scan_interval_days(), 1, 90);
  checkOnAccessPaths(out, s.on_access_paths());
  checkRange(out, "scan.io_mib_per_second", s.has_io_mib_per_second(), s.io_mib_per_second(), 1,
             1000);
  checkRange(out, "scan.file_timeout_seconds", s.has_file_timeout_seconds(),
             s.file_timeout_seconds(), 1, 600);
  checkRange(out, "scan.quarantine_max_bytes", s.has_quarantine_max_bytes(),
             s.quarantine_max_bytes(), kMiB, 1024 * kGiB);
  checkRange(out, "scan.quarantine_max_files", s.has_quarantine_max_files(),
             s.quarantine_max_files(), 1, 100000);
  checkRange(out, "scan.quarantine_reserve_bytes", s.has_quarantine_reserve_bytes(),
             s.quarantine_reserve_bytes(), kMiB, 64 * kGiB);
}

void checkCount(Issues& out, const std::string& field, int count, int max) {
  if (count > max) {
    out.push_back(
        {field, "at most " + std::to_string(max) + " entries, got " + std::to_string(count)});
  }
}

void checkDomains(Issues& out, const std::string& field,
                  const google::protobuf::RepeatedPtrField<std::string>& list, int max) {
  checkCount(out, field, list.size(), max);
  for (int i = 0; i < list.size(); ++i) {
    if (!net::normalizeDomain(list[i])) {
      out.push_back({field + "[" + std::to_string(i) + "]",
                     "must be a domain name (letters, digits, '-', dots; 1..253 bytes; "
                     "punycode for non-ASCII names)"});
    }
  }
}

void checkKeywords(Issues& out, const std::string& field,
                   const google::protobuf::RepeatedPtrField<std::string>& list, size_t min_bytes) {
  checkCount(out, field, list.size(), kMaxRuleKeywords);
  for (int i = 0; i < list.size(); ++i) {
    const std::string& k = list[i];
    if (k.size() < min_bytes || k.size() > kMaxKeywordBytes || !isWellFormedUtf8(k) ||
        hasControlChar(k)) {
      out.push_back({field + "[" + std::to_string(i) + "]",
                     "must be " + std::to_string(min_bytes) +
                         "..200 bytes of UTF-8 without control characters"});
    }
  }
}

void checkSiteRules(Issues& out, const google::protobuf::RepeatedPtrField<v1::SiteRule>& rules) {
  checkCount(out, "browsing.site_rules", rules.size(), kMaxSiteRules);
  std::vector<int> seen;
  for (int i = 0; i < rules.size(); ++i) {
    const std::string path = "browsing.site_rules[" + std::to_string(i) + "]";
    const v1::SiteRule& r = rules[i];
    const int category = r.category();
    if (category == v1::SITE_CATEGORY_UNSPECIFIED || !v1::SiteCategory_IsValid(category)) {
      out.push_back({path + ".category", "unknown site category " + std::to_string(category)});
    } else if (std::find(seen.begin(), seen.end(), category) != seen.end()) {
      out.push_back({path + ".category",
                     "one rule per category: " + v1::SiteCategory_Name(r.category()) + " repeats"});
    }
    seen.push_back(category);
    checkDomains(out, path + ".domains", r.domains(), kMaxRuleDomains);
    checkKeywords(out, path + ".url_keywords", r.url_keywords(), 2);
    checkKeywords(out, path + ".title_keywords", r.title_keywords(), 1);
  }
}

void checkBrowsing(Issues& out, const v1::BrowsingPolicy& b) {
  checkRange(out, "browsing.poll_interval_seconds", b.has_poll_interval_seconds(),
             b.poll_interval_seconds(), 60, 86400);
  if (!v1::UrlDetail_IsValid(b.url_detail())) {
    out.push_back({"browsing.url_detail", "unknown URL detail " + std::to_string(b.url_detail())});
  }
  checkDomains(out, "browsing.exclude_domains", b.exclude_domains(), kMaxExcludeDomains);
  checkSiteRules(out, b.site_rules());
}

// One retention field: at least the county's floor for that kind of record (the reason names
// the rule), at most kMaxRetentionDays.
void checkRetentionDays(Issues& out, const RetentionField& f, bool has, uint32_t days) {
  if (!has) return;
  if (days < f.floor_days) {
    out.push_back({std::string("retention.") + f.name,
                   "must be at least " + std::to_string(f.floor_days) + " days (" + f.rule +
                       "), got " + std::to_string(days)});
  } else if (days > kMaxRetentionDays) {
    out.push_back({std::string("retention.") + f.name, "must be at most " +
                                                           std::to_string(kMaxRetentionDays) +
                                                           " days, got " + std::to_string(days)});
  }
}

void checkRetention(Issues& out, const v1::RetentionPolicy& r) {
  checkRetentionDays(out, kRetentionFields[0], r.has_browsing_days(), r.browsing_days());
  checkRetentionDays(out, kRetentionFields[1], r.has_security_days(), r.security_days());
  checkRetentionDays(out, kRetentionFields[2], r.has_session_days(), r.session_days());
  checkRetentionDays(out, kRetentionFields[3], r.has_activity_days(), r.activity_days());
}

// Retention is collector-wide per school: the collector reads it from the school layer only,
// so a room or terminal layer that sets it would silently do nothing.
void checkRetentionScope(Issues& out, v1::PolicyScope scope, const v1::Policy& layer) {
  if (scope == v1::POLICY_SCOPE_SCHOOL) return;
  const auto& r = layer.retention();
  const bool set[] = {r.has_browsing_days(), r.has_security_days(), r.has_session_days(),
                      r.has_activity_days()};
  for (size_t i = 0; i < std::size(set); ++i) {
    if (!set[i]) continue;
    out.push_back({std::string("retention.") + kRetentionFields[i].name,
                   "only the school layer may set retention (the collector keeps records per "
                   "school)"});
  }
}

}  // namespace

uint32_t retentionFloorDays(RetentionKind kind) {
  return kRetentionFields[static_cast<size_t>(kind)].floor_days;
}

std::vector<FieldIssue> validatePolicy(const v1::Policy& policy) {
  Issues out;
  checkAgent(out, policy.agent());
  checkBinding(out, policy.binding());
  checkNaming(out, policy.naming());
  checkScan(out, policy.scan());
  checkBrowsing(out, policy.browsing());
  checkRetention(out, policy.retention());
  return out;
}

std::vector<FieldIssue> validateLayer(v1::PolicyScope scope, const v1::Policy& layer) {
  Issues out;
  if (scope != v1::POLICY_SCOPE_SCHOOL && scope != v1::POLICY_SCOPE_ROOM &&
      scope != v1::POLICY_SCOPE_TERMINAL) {
    out.push_back({"", "scope must be school, room or terminal"});
  }
  Issues own = validatePolicy(layer);
  out.insert(out.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
  if (scope != v1::POLICY_SCOPE_TERMINAL) {
    const char* kOnlyTerminal = "only a terminal layer may set this";
    if (layer.binding().has_mac()) out.push_back({"binding.mac", kOnlyTerminal});
    if (layer.binding().has_ipv4()) out.push_back({"binding.ipv4", kOnlyTerminal});
    if (layer.naming().has_hostname()) out.push_back({"naming.hostname", kOnlyTerminal});
  }
  checkRetentionScope(out, scope, layer);
  return out;
}

std::string summarizeIssues(const std::vector<FieldIssue>& issues, size_t max) {
  std::string out;
  for (size_t i = 0; i < issues.size() && i < max; ++i) {
    if (!out.empty()) out += "; ";
    out += (issues[i].field.empty() ? "(input)" : issues[i].field) + ": " + issues[i].message;
  }
  if (issues.size() > max) out += "; and " + std::to_string(issues.size() - max) + " more";
  return out;
}

}  // namespace xiaoan::policy
