#pragma once

#include <optional>
#include <string>
#include <string_view>

// DNS names as policies list them (harmful-site rules, excluded domains) and as URLs carry them.
// One normalisation for the validator and the agent's matcher, so a policy the collector accepts
// matches on the agent exactly as the admin wrote it.
namespace xiaoan::net {

// Longest domain name accepted (RFC 1035 presentation form without the root dot).
inline constexpr size_t kMaxDomainBytes = 253;

// The canonical form of a listed domain: ASCII letters folded to lower case, one trailing dot
// removed; nullopt unless the result is 1..253 bytes of labels of 1..63 letters, digits, '-'
// or '_' (no label starting or ending with '-'). Non-ASCII names are refused: browsers record
// hosts in their punycode ("xn--") form, and the rule must be written that way.
std::optional<std::string> normalizeDomain(std::string_view domain);

// The host of a URL ("https://user@Www.Example.cn:8443/a?b" -> "www.example.cn"): lower case,
// without user info, port, IPv6 brackets or a trailing dot; empty for URLs without an
// authority ("about:blank", "file:///x", "data:...").
std::string urlHost(std::string_view url);

}  // namespace xiaoan::net
