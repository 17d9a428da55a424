#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/content/artifact_sync.h"
#include "agent/content/content_consumer.h"
#include "agent/content/policy_applier.h"

namespace xiaoan::agent::content {

// The POLICY artifact named "policy": validated and persisted by PolicyApplier, put into effect
// by the consumer. Owns the running policy.
class PolicyArtifact final : public ArtifactApplier {
 public:
  PolicyArtifact(const std::string& state_dir, ContentConsumer& consumer);

  const ArtifactRules& rules() const override;
  std::optional<RunningArtifact> running() const override;
  Status apply(std::string_view bytes, const v1::Artifact& artifact,
               const ApplyContext& context) override;

  // Runs the last good policy of `agent_id`, if any (before the first check-in).
  void loadLastGood(const std::string& agent_id) { policy_.loadLastGood(agent_id); }
  const std::optional<AppliedPolicy>& current() const { return policy_.current(); }
  // The running policy document's version; 0 without one.
  uint64_t version() const;
  uint64_t setAsideCount() const { return policy_.setAsideCount(); }

 private:
  PolicyApplier policy_;
};

// The SIGNATURES artifact: compiled and loaded by the consumer's scanner; ignored when the
// agent runs none.
class SignatureArtifact final : public ArtifactApplier {
 public:
  explicit SignatureArtifact(ContentConsumer& consumer) : consumer_(consumer) {}

  const ArtifactRules& rules() const override;
  bool enabled() const override { return consumer_.runsSignatures(); }
  std::optional<RunningArtifact> running() const override;
  Status apply(std::string_view bytes, const v1::Artifact& artifact,
               const ApplyContext& context) override;

 private:
  ContentConsumer& consumer_;
};

}  // namespace xiaoan::agent::content
