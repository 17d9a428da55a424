#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/result.h"
#include "service/collector/store/artifact_store.h"
#include "service/collector/store/store.h"
#include "service/collector/trust/policy_layers.h"
#include "service/collector/trust/trust_keys.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::collector {

// Artifact name of the signature bundle in content targets (kind ARTIFACT_KIND_SIGNATURES).
inline constexpr const char* kSignaturesArtifactName = "signatures";

struct IssuerOptions {
  // Lifetime of a timestamp; re-signed when less than half of it is left.
  std::chrono::seconds timestamp_ttl{std::chrono::hours(24 * 7)};
  // Lifetime of content targets; re-signed when less than half of it is left.
  std::chrono::seconds targets_ttl{std::chrono::hours(24 * 30)};
  // The built-in layer under every school, room and terminal layer.
  v1::Policy defaults;
};

// What one agent should have now.
struct AgentContent {
  // From the merged policy (also without keys).
  uint32_t checkin_interval_seconds = 0;
  // Policy version issued to the agent; 0 when nothing can be issued (no keys imported).
  uint64_t policy_version = 0;
  // Roots newer than the agent's, the current timestamp and content targets; unset without keys.
  std::optional<v1::TrustUpdate> trust;
  // Raw SHA-256 of every artifact the content targets name (policy, signatures) for offline
  // bundles; each is in the artifact store.
  std::vector<std::string> artifacts;
};

// Issues each agent its merged policy through the signed content channel (DESIGN.md §6):
// PolicyDocument artifact -> content targets (content key) -> timestamp (timestamp key).
// A version is taken from the collector-wide counter only when something changed: the merged
// policy (then new policy, targets and timestamp versions), a newer published signature bundle,
// the targets near expiry or signed by a key no longer current (targets + timestamp), the
// timestamp near expiry (timestamp). The targets name the policy and, once one is published,
// the latest signature bundle (ARTIFACT_KIND_SIGNATURES "signatures", its bundle version).
// Everything issued is persisted in the caller's transaction, so versions never go down.
// Thread-safe (const; the artifact store serialises its writes).
class ContentIssuer {
 public:
  // `keys` may be null (nothing imported): then only the check-in interval is resolved.
  ContentIssuer(IssuerOptions options, const CollectorKeys* keys, ArtifactStore& artifacts,
                const Clock& clock);

  bool hasKeys() const { return keys_ != nullptr; }
  const v1::Policy& defaults() const { return options_.defaults; }

  // For agent `agent_id` of terminal `terminal_id`, whose trusted root is `agent_root_version`.
  // E_NOT_FOUND for an unknown terminal; E_DATABASE for unreadable stored state.
  Result<AgentContent> issue(WriteTxn& txn, const std::string& agent_id,
                             const std::string& terminal_id, uint64_t agent_root_version) const;
  // issue() for a check-in, which a failure to issue never fails (the agent keeps enforcing
  // what it has, I2): then the default interval and no signed content, and an error logged at
  // most once a minute (a broken layer would otherwise log at every check-in).
  AgentContent issueForCheckin(WriteTxn& txn, const std::string& agent_id,
                               const std::string& terminal_id, uint64_t agent_root_version) const;

 private:
  struct Pass;
  Status issuePolicy(Pass& pass) const;
  Status issueTargets(Pass& pass) const;
  Status issueTimestamp(Pass& pass) const;
  static Status addSignatures(const SignatureBundleRow& bundle, v1::TargetsMetadata& targets);
  Result<std::vector<std::string>> storedArtifacts(Pass& pass) const;
  Result<v1::TrustUpdate> trustUpdate(const IssuedContentRow& row, uint64_t agent_root) const;

  IssuerOptions options_;
  const CollectorKeys* keys_;
  ArtifactStore& artifacts_;
  const Clock& clock_;
  mutable std::atomic<int64_t> last_failure_log_ms_{0};
};

}  // namespace xiaoan::collector
