#pragma once

#include <mutex>
#include <string>

#include "agent/content/artifact_appliers.h"
#include "agent/content/artifact_fetcher.h"
#include "agent/content/artifact_store.h"
#include "agent/content/artifact_sync.h"
#include "agent/content/content_consumer.h"
#include "agent/content/content_events.h"
#include "agent/content/content_reporter.h"
#include "agent/content/content_status_model.h"
#include "agent/content/trusted_metadata.h"
#include "common/trust/trust_verifier.h"
#include "platform/clock.h"
#include "platform/result.h"
#include "xiaoan/v1/agent_api.pb.h"
#include "xiaoan/v1/control.pb.h"
#include "xiaoan/v1/status.pb.h"

namespace xiaoan::agent::content {

struct ContentManagerOptions {
  std::string state_dir;
  // Root metadata installed with the agent (AgentBootstrapConfig.trust_root).
  std::string pinned_root_path;
};

// The agent side of the signed content channel (DESIGN.md §6): the check-in loop hands it
// CheckinResponse.trust, xiaoanctl apply-bundle an offline bundle. Both go the same way:
// the update verified against the trusted metadata -> the new state persisted (only then used)
// -> the artifacts it names fetched, verified and applied (the policy, the signature bundle).
// Any rejection keeps everything that runs as it is (RELIABILITY.md I1, I2) and is reported: a
// status condition (code + line) and one security-priority ContentUpdateEvent per distinct
// rejection.
//
// This class only sequences the steps and decides what a failure means; the parts do the work:
// TrustedMetadata (verification, persistence), ArtifactSync with PolicyArtifact and
// SignatureArtifact (fetch and apply), ContentStatusModel (status, conditions) and
// ContentEvents. `reporter` hears about everything, `consumer` runs what arrives; both must
// outlive the manager.
// Thread-safe: calls are serialized.
class ContentManager {
 public:
  ContentManager(ContentManagerOptions options, const Clock& clock, ArtifactFetcher& network,
                 ContentReporter& reporter, ContentConsumer& consumer);

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
  Status process(const v1::TrustUpdate& update, ArtifactFetcher& fetcher, UpdateSource source,
                 trust::UpdateOutcome* outcome);
  Status ensureRoot(UpdateSource source);
  Status accept(const trust::UpdateOutcome& outcome, UpdateSource source);
  Status syncArtifact(ArtifactSync& sync, ArtifactFetcher& fetcher, UpdateSource source);
  Status failure(const Status& st, const UpdateSubject& subject, UpdateSource source);
  Status reject(const Status& st, const UpdateSubject& subject, UpdateSource source);
  void loadTrust();
  void reportSetAside();
  void collectGarbage();

  const ContentManagerOptions options_;
  const Clock& clock_;
  ArtifactFetcher& network_;

  mutable std::mutex mu_;
  std::string agent_id_;
  TrustedMetadata metadata_;
  ArtifactStore artifacts_;
  PolicyArtifact policy_;
  SignatureArtifact signatures_;
  ArtifactSync policy_sync_, signature_sync_;
  ContentStatusModel status_;
  const ContentEvents events_;
};

}  // namespace xiaoan::agent::content
