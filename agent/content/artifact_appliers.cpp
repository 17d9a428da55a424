#include "agent/content/artifact_appliers.h"

#include "common/policy/policy_rules.h"
#include "signatures/bundle.h"

namespace xiaoan::agent::content {
namespace {

const ArtifactRules kPolicyRules{.kind = v1::ARTIFACT_KIND_POLICY,
                                 .name = "policy",
                                 .noun = "a policy",
                                 .max_bytes = policy::kMaxPolicyDocumentBytes,
                                 .too_large = ErrorCode::kPolicyInvalid,
                                 .invalid = ErrorCode::kPolicyInvalid};

// Any name: the first SIGNATURES artifact of the targets is the bundle.
const ArtifactRules kSignatureRules{.kind = v1::ARTIFACT_KIND_SIGNATURES,
                                    .name = nullptr,
                                    .noun = "a signature bundle",
                                    .max_bytes = sig::kMaxBundleBytes,
                                    .too_large = ErrorCode::kTooLarge,
                                    .invalid = ErrorCode::kRulesInvalid};

}  // namespace

PolicyArtifact::PolicyArtifact(const std::string& state_dir, ContentConsumer& consumer)
    : policy_(state_dir, [&consumer](const v1::Policy& p) { consumer.runPolicy(p); }) {}

const ArtifactRules& PolicyArtifact::rules() const { return kPolicyRules; }

std::optional<RunningArtifact> PolicyArtifact::running() const {
  if (!policy_.current()) return std::nullopt;
  return RunningArtifact{version(), policy_.current()->sha256};
}

Status PolicyArtifact::apply(std::string_view bytes, const v1::Artifact& artifact,
                             const ApplyContext& context) {
  return policy_.apply(bytes, artifact, context.agent_id, context.offline, context.clock.now());
}

uint64_t PolicyArtifact::version() const {
  return policy_.current() ? policy_.current()->document.version() : 0;
}

const ArtifactRules& SignatureArtifact::rules() const { return kSignatureRules; }

std::optional<RunningArtifact> SignatureArtifact::running() const {
  return consumer_.runningSignatures();
}

Status SignatureArtifact::apply(std::string_view bytes, const v1::Artifact& artifact,
                                const ApplyContext&) {
  return consumer_.loadSignatures(bytes, artifact);
}

}  // namespace xiaoan::agent::content
