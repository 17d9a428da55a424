#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/content/artifact_fetcher.h"
#include "agent/content/artifact_store.h"
#include "agent/content/content_consumer.h"
#include "agent/content/content_events.h"
#include "platform/clock.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// What distinguishes one kind of artifact on its way in.
struct ArtifactRules {
  v1::ArtifactKind kind = v1::ARTIFACT_KIND_UNSPECIFIED;
  const char* name = nullptr;  // the target's required name; nullptr: the first of its kind
  const char* noun = "";       // "a policy": for the size error
  uint64_t max_bytes = 0;      // announced lengths above this are refused before any download
  ErrorCode too_large = ErrorCode::kTooLarge;  // the code of that refusal
  ErrorCode invalid = ErrorCode::kInternal;    // the code of bytes that do not apply

  bool names(const v1::Artifact& artifact) const;
  // Codes that condemn the bytes themselves: they are not fetched and judged again.
  bool isFinal(ErrorCode code) const;
};

// What an applier needs to know about the update in progress.
struct ApplyContext {
  const std::string& agent_id;
  bool offline = false;
  const Clock& clock;  // read when applying: a download may take a while
};

// Puts one kind of verified artifact into effect (the policy, the signature rules).
class ArtifactApplier {
 public:
  virtual ~ArtifactApplier() = default;
  virtual const ArtifactRules& rules() const = 0;
  // False: artifacts of this kind are left alone.
  virtual bool enabled() const { return true; }
  // The artifact in effect; nullopt when none is.
  virtual std::optional<RunningArtifact> running() const = 0;
  // `bytes` are verified against `artifact`; an error leaves what runs as it is.
  virtual Status apply(std::string_view bytes, const v1::Artifact& artifact,
                       const ApplyContext& context) = 0;
};

// What ArtifactSync::sync did.
struct SyncResult {
  enum class Kind {
    kUpToDate,       // nothing named, or the named artifact already runs
    kRefusedBefore,  // the same bytes were judged before: `status` is that judgement
    kFailed,         // `status` says why; `subject` is the artifact
    kApplied,        // `subject` is the artifact, with the version it replaced
  };
  Kind kind = Kind::kUpToDate;
  Status status;
  UpdateSubject subject;
};

// Brings the artifact of one kind that the trusted targets name into effect: size check,
// fetch (verified by the fetcher), read back, apply. Bytes that are refused for what they are
// (ArtifactRules::isFinal) are remembered by hash, so that a check-in every minute does not
// download and judge them again. Not thread-safe (the content manager serializes calls).
class ArtifactSync {
 public:
  ArtifactSync(ArtifactApplier& applier, ArtifactStore& store) : applier_(applier), store_(store) {}

  const ArtifactRules& rules() const { return applier_.rules(); }
  // `target`: what the trusted targets name (nullptr: nothing).
  SyncResult sync(const v1::Artifact* target, ArtifactFetcher& fetcher,
                  const ApplyContext& context);

 private:
  Status load(const v1::Artifact& artifact, ArtifactFetcher& fetcher, const ApplyContext& context);

  ArtifactApplier& applier_;
  ArtifactStore& store_;
  std::string refused_sha_;
  Status refused_status_;
};

}  // namespace xiaoan::agent::content
