#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xiaoan {

// The IPv4 "nameserver" lines of a resolv.conf text, in order, at most kMaxDnsServers; text past
// kMaxResolvConfBytes, comments, IPv6 and malformed lines are ignored.
std::vector<std::string> parseResolvConfNameservers(std::string_view text);

// `text` with its nameserver lines replaced by `servers` (in order, where the first one was;
// at the end when there was none); every other line is kept.
std::string replaceResolvConfNameservers(std::string_view text,
                                         const std::vector<std::string>& servers);

}  // namespace xiaoan
