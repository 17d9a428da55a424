// The ifupdown configuration file: finding and rewriting one interface's IPv4 stanza.
#include <vector>

#include "platform/linux/ifupdown.h"

namespace xiaoan {
namespace {

std::vector<std::string_view> words(std::string_view line, size_t max) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size() && out.size() < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// A line that starts a new stanza (or a top-level option) ends the one before it.
bool startsStanza(std::string_view line) {
  const auto w = words(line, 1);
  if (w.empty()) return false;
  const std::string_view k = w[0];
  return k == "iface" || k == "auto" || k == "mapping" || k == "source" ||
         k == "source-directory" || k == "source-dir" || k == "rename" || k == "no-auto-down" ||
         k == "no-scripts" || k.substr(0, 6) == "allow-";
}

bool isOurStanza(std::string_view line, const std::string& itf) {
  const auto w = words(line, 3);
  return w.size() == 3 && w[0] == "iface" && w[1] == itf && w[2] == "inet";
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

constexpr std::string_view kMarker =
    "# Written by xiaoan-agent: the address the school assigned to this PC (IP/MAC binding).\n";

std::string staticStanza(const Ipv4Assignment& a) {
  std::string s =
      std::string(kMarker) + "iface " + a.interface + " inet static\n    address " + a.cidr + "\n";
  if (!a.gateway.empty()) s += "    gateway " + a.gateway + "\n";
  if (!a.dns.empty()) {
    s += "    dns-nameservers";
    for (const auto& d : a.dns) s += " " + d;
    s += "\n";
  }
  return s;
}

}  // namespace

bool hasIfupdownStanza(std::string_view text, const std::string& itf) {
  for (auto line : lines(text.substr(0, kMaxIfupdownBytes)))
    if (isOurStanza(line, itf)) return true;
  return false;
}

std::string rewriteIfupdownStanza(std::string_view text, const Ipv4Assignment& a) {
  std::string out;
  bool in_ours = false, written = false;
  for (auto line : lines(text.substr(0, kMaxIfupdownBytes))) {
    if (startsStanza(line)) in_ours = false;
    if (isOurStanza(line, a.interface)) {
      in_ours = true;
      if (out.ends_with(kMarker)) out.resize(out.size() - kMarker.size());  // ours, from before
      if (!written) out += staticStanza(a);
      written = true;
      continue;
    }
    if (!in_ours) out.append(line).push_back('\n');
  }
  if (!written) out += (out.empty() || out.ends_with("\n\n") ? "" : "\n") + staticStanza(a);
  return out;
}

}  // namespace xiaoan
