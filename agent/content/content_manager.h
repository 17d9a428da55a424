#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "agent/content/artifact_fetcher.h"
#include "agent/content/artifact_store.h"
#include "agent/content/policy_applier.h"
#include "agent/content/trust_store.h"
#include "platform/clock.h"
#include "platform/result.h"
#include "common/trust/trust_verifier.h"
#include "xiaoan/v1/agent_api.pb.h"
#include "xiaoan/v1/control.pb.h"
#include "xiaoan/v1/event.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::content {

struct ContentManagerOptions {
  std::string state_dir;
  // Root metadata installed with the agent (AgentBootstrapConfig.trust_root).
  std::string pinned_root_path;
};

// The signature bundle the scanner runs: version 0 and no hash for the rules shipped with the
// agent.
struct LoadedSignatureArtifact {
  uint64_t version = 0;
  std::string sha256;  // raw SHA-256 of the artifact bytes
};

// How the content channel reaches the rest of the agent (wired by the daemon).
struct ContentHooks {
  // Makes a newly running policy take effect (check-in interval, upload rate).
  std::function<void(const v1::Policy&)> on_policy;
  // Appends a ContentUpdateEvent (security priority) through the spool.
  std::function<void(v1::ContentUpdateEvent)> on_event;
  // Sets (non-OK) or clears (OK) a degraded status condition, by key.
  std::function<void(const std::string& key, const Status&)> on_condition;
  // The channel's state for AgentStatus changed.
  std::function<void(const v1::ContentStatus&, uint64_t policy_version)> on_status;
  // Loads the verified bytes of a SIGNATURES artifact (the scanner's SignatureLoader).
  // E_RULES_INVALID, E_TOO_LARGE or E_META_MISMATCH reject the bundle: the rules loaded stay,
  // and the same bytes are not fetched and judged again. Unset: signature artifacts are ignored.
  std::function<Status(std::string_view bytes, const v1::Artifact& artifact)> on_signatures;
  // The signature bundle loaded now.
  std::function<LoadedSignatureArtifact()> signatures_loaded;
};

// The agent side of the signed content channel (DESIGN.md §6): the check-in loop hands it
// CheckinResponse.trust, xiaoanctl apply-bundle an offline bundle. Both go the same way:
// trust::applyUpdate against the trusted state -> the new state persisted (only then used) ->
// the artifacts it names fetched, verified and applied (the policy, the signature bundle). Any
// rejection keeps everything that runs as it is (RELIABILITY.md I1, I2) and is reported: a
// status condition (code + line) and one security-priority ContentUpdateEvent per distinct
// rejection.
// Thread-safe: calls are serialized.
class ContentManager {
 public:
  ContentManager(ContentManagerOptions options, const Clock& clock, ArtifactFetcher& network,
                 ContentHooks hooks);

  // Loads the trusted state, pinning the installed root on first use (status shows the root
  // version even before enrollment).
  void open();
  // Opens (unless done) and runs the last good policy of `agent_id`. Call before the first
  // check-in.
  void start(const std::string& agent_id);

  // What the next check-in says about us.
  v1::TrustVersions trustVersions() const;
  uint64_t policyVersion() const;

  // CheckinResponse.trust: verified with freshness, persisted, artifacts from the collector.
  Status handleUpdate(const v1::TrustUpdate& update);

  // `xiaoanctl apply-bundle`: the bundle's entry for this agent, verified with freshness
  // waived (logged), artifacts from the bundle.
  Result<v1::ApplyBundleResponse> applyBundle(const std::string& path);

  // Re-evaluates freshness now (called every check-in attempt, answered or not): the first
  // time the trusted metadata is found expired, one STALE event is sent.
  void checkFreshness();

  v1::ContentStatus status() const;

 private:
  enum class Source { kCollector, kOfflineBundle };
  // What an event is about.
  struct Subject {
    v1::Role role = v1::ROLE_UNSPECIFIED;
    v1::ArtifactKind kind = v1::ARTIFACT_KIND_UNSPECIFIED;
    uint64_t version = 0;
    uint64_t previous_version = 0;
  };

  Status process(const v1::TrustUpdate& update, ArtifactFetcher& fetcher, Source source,
                 trust::UpdateOutcome* outcome);
  Status ensureRoot(Source source);
  Status accept(const trust::UpdateOutcome& outcome, Source source);
  Status syncPolicy(ArtifactFetcher& fetcher, Source source);
  Status loadPolicy(const v1::Artifact& target, ArtifactFetcher& fetcher, Source source);
  Status syncSignatures(ArtifactFetcher& fetcher, Source source);
  Status loadSignatures(const v1::Artifact& target, ArtifactFetcher& fetcher);
  const v1::Artifact* signaturesTarget() const;
  LoadedSignatureArtifact signaturesLoaded() const;
  Status failure(const Status& st, const Subject& subject, Source source);
  Status reject(const Status& st, const Subject& subject, Source source);
  // After an artifact applied: clears a rejection of that artifact or of the metadata, never
  // one of the other artifact (a bundle loading must not hide a policy still refused).
  void clearRejectionFor(v1::ArtifactKind kind);
  void clearRejection();
  void emit(v1::ContentUpdateEvent::Outcome outcome, const Subject& subject, Source source,
            const Status& error);
  void loadTrust();
  void refreshSummary();
  void reportSetAside();
  void collectGarbage();
  const v1::Artifact* policyTarget() const;
  std::optional<std::chrono::system_clock::time_point> channelExpiry() const;
  bool staleAt(std::chrono::system_clock::time_point now) const;
  v1::ContentStatus statusLocked() const;
  uint64_t policyVersionLocked() const;
  void publish();
  void condition(const std::string& key, const Status& st);

  const ContentManagerOptions options_;
  const Clock& clock_;
  ArtifactFetcher& network_;
  const ContentHooks hooks_;

  mutable std::mutex mu_;
  std::string agent_id_;
  TrustStore trust_store_;
  ArtifactStore artifacts_;
  PolicyApplier policy_;
  std::optional<v1::TrustState> state_;  // nullopt: no root (updates disabled)
  std::optional<trust::TrustSummary> summary_;
  std::optional<v1::ErrorInfo> last_rejection_;
  std::optional<std::chrono::system_clock::time_point> last_rejection_at_, last_verified_at_;
  v1::ArtifactKind last_rejection_kind_ = v1::ARTIFACT_KIND_UNSPECIFIED;
  std::string last_event_key_;       // the last rejection sent as an event (no repeats)
  std::string rejected_policy_sha_;  // an invalid policy is not fetched and judged again
  Status rejected_policy_status_;
  std::string rejected_signatures_sha_;  // likewise a bundle that does not compile
  Status rejected_signatures_status_;
  bool stale_reported_ = false;
  bool trust_loaded_ = false;
};

}  // namespace xiaoan::agent::content
