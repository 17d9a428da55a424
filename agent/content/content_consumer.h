#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/result.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// An artifact in effect: version 0 and no hash for the signature rules shipped with the agent.
struct RunningArtifact {
  uint64_t version = 0;
  std::string sha256;  // raw SHA-256 of the artifact bytes
};

// The parts of the agent that run what the content channel delivers, verified: the policy's
// settings and the scanner's signature rules. Called with the content manager's lock held.
class ContentConsumer {
 public:
  virtual ~ContentConsumer() = default;
  // Makes a newly running policy take effect (check-in interval, upload rate, scanning).
  virtual void runPolicy(const v1::Policy& policy) = 0;
  // False when the agent runs no scanner: signature artifacts are then left alone.
  virtual bool runsSignatures() const = 0;
  // Loads the verified bytes of a SIGNATURES artifact. E_RULES_INVALID, E_TOO_LARGE or
  // E_META_MISMATCH reject the bundle: the rules loaded stay, and the same bytes are not
  // fetched and judged again.
  virtual Status loadSignatures(std::string_view bytes, const v1::Artifact& artifact) = 0;
  // The signature bundle loaded now.
  virtual RunningArtifact runningSignatures() const = 0;
};

}  // namespace xiaoan::agent::content
