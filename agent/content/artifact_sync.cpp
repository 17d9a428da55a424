#include "agent/content/artifact_sync.h"

namespace xiaoan::agent::content {

bool ArtifactRules::names(const v1::Artifact& artifact) const {
  return artifact.kind() == kind && (name == nullptr || artifact.name() == name);
}

bool ArtifactRules::isFinal(ErrorCode code) const {
  return code == invalid || code == too_large || code == ErrorCode::kMetaMismatch;
}

SyncResult ArtifactSync::sync(const v1::Artifact* target, ArtifactFetcher& fetcher,
                              const ApplyContext& context) {
  if (target == nullptr || !applier_.enabled()) return {};
  const std::optional<RunningArtifact> running = applier_.running();
  if (running && running->sha256 == target->sha256()) return {};
  if (target->sha256() == refused_sha_) {
    return {SyncResult::Kind::kRefusedBefore, refused_status_, {}};
  }
  // A copy: applying may replace the metadata `target` points into.
  const v1::Artifact artifact = *target;
  const UpdateSubject subject{v1::ROLE_CONTENT, applier_.rules().kind, artifact.version(),
                              running ? running->version : 0};
  Status st = load(artifact, fetcher, context);
  if (!st.isOk()) {
    if (applier_.rules().isFinal(st.code())) {
      refused_sha_ = artifact.sha256();
      refused_status_ = st;
    }
    return {SyncResult::Kind::kFailed, st, subject};
  }
  return {SyncResult::Kind::kApplied, Status::ok(), subject};
}

Status ArtifactSync::load(const v1::Artifact& artifact, ArtifactFetcher& fetcher,
                          const ApplyContext& context) {
  const ArtifactRules& rules = applier_.rules();
  if (artifact.length() > rules.max_bytes) {
    return Status(rules.too_large, describeArtifact(artifact) + " is " +
                                       std::to_string(artifact.length()) + " bytes, " + rules.noun +
                                       " may have at most " + std::to_string(rules.max_bytes));
  }
  XIAOAN_RETURN_IF_ERROR(fetcher.fetch(artifact, store_));
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, store_.read(artifact, rules.max_bytes));
  return applier_.apply(bytes, artifact, context);
}

}  // namespace xiaoan::agent::content
