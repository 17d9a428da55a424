// resolv.conf: reading the IPv4 nameservers and rewriting them (the DNS part of the network seam
// when no network manager owns the resolver).
#include <arpa/inet.h>

#include "platform/linux/resolv_conf.h"
#include "platform/network_info.h"

namespace xiaoan {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The address of a "nameserver X" line, empty for any other line.
std::string_view nameserverOf(std::string_view line) {
  line = trimmed(line);
  constexpr std::string_view kKey = "nameserver";
  if (line.substr(0, kKey.size()) != kKey || line.size() == kKey.size()) return {};
  if (line[kKey.size()] != ' ' && line[kKey.size()] != '\t') return {};
  std::string_view value = trimmed(line.substr(kKey.size()));
  const size_t end = value.find_first_of(" \t#;");
  return value.substr(0, end);
}

bool isIpv4Text(std::string_view s) {
  if (s.empty() || s.size() >= INET_ADDRSTRLEN) return false;
  in_addr a;
  return ::inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

template <typename F>
void forEachLine(std::string_view text, F f) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    f(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::vector<std::string> parseResolvConfNameservers(std::string_view text) {
  std::vector<std::string> out;
  forEachLine(text.substr(0, kMaxResolvConfBytes), [&](std::string_view line) {
    const std::string_view ns = nameserverOf(line);
    if (out.size() < kMaxDnsServers && isIpv4Text(ns)) out.emplace_back(ns);
  });
  return out;
}

std::string replaceResolvConfNameservers(std::string_view text,
                                         const std::vector<std::string>& servers) {
  std::string out, block;
  for (const auto& s : servers) block += "nameserver " + s + "\n";
  bool placed = false;
  forEachLine(text.substr(0, kMaxResolvConfBytes), [&](std::string_view line) {
    if (nameserverOf(line).empty()) {
      out.append(line).push_back('\n');
    } else if (!placed) {
      out += block;
      placed = true;
    }
  });
  if (!placed) out += block;
  return out;
}

}  // namespace xiaoan
