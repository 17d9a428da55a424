#pragma once

// Where an installed agent lives when its bootstrap config says nothing else. The daemon fills
// unset config fields from here and xiaoanctl finds the daemon through the same values, so they
// are written down once.

namespace xiaoan::agent {

// The bootstrap config (`xiaoan-agent --config`, `xiaoanctl --config`).
inline constexpr char kDefaultConfigPath[] = "/etc/xiaoan/agent.json";
// AgentBootstrapConfig.state_dir: spool, identity, trusted metadata, status.pb.
inline constexpr char kDefaultStateDir[] = "/var/lib/xiaoan";
// AgentBootstrapConfig.status_socket: the local control socket xiaoanctl talks to.
inline constexpr char kDefaultStatusSocket[] = "/run/xiaoan/agent.sock";
// AgentBootstrapConfig.builtin_signatures_dir: the rules shipped with the agent.
inline constexpr char kDefaultBuiltinSignaturesDir[] = "/usr/share/xiaoan/signatures";
// AgentBootstrapConfig.trust_root defaults to this file in the CA bundle's directory.
inline constexpr char kDefaultTrustRootName[] = "root.pb";

}  // namespace xiaoan::agent
