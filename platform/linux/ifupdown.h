#pragma once

#include <string>
#include <string_view>

#include "platform/network_config.h"

namespace xiaoan {

inline constexpr size_t kMaxIfupdownBytes = 256 * 1024;

// Whether /etc/network/interfaces text has an "iface NAME inet ..." stanza.
bool hasIfupdownStanza(std::string_view text, const std::string& itf);

// `text` (at most kMaxIfupdownBytes of it) with the IPv4 stanza of a.interface replaced by a
// static one carrying the assignment (address, gateway, dns-nameservers), or that stanza
// appended when there was none. Every other line ("auto", "allow-hotplug", other interfaces,
// inet6 stanzas, comments outside the stanza) is kept.
std::string rewriteIfupdownStanza(std::string_view text, const Ipv4Assignment& a);

}  // namespace xiaoan
