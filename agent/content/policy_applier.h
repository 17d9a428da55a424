#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// The policy this agent runs.
struct AppliedPolicy {
  v1::PolicyDocument document;
  std::string sha256;  // of the PolicyDocument bytes (raw 32 bytes)
  std::chrono::system_clock::time_point applied_at;
  bool from_offline_bundle = false;
};

// Applies verified policy artifacts: <state_dir>/policy/current.pb holds the PolicyDocument
// bytes of the running policy. A new policy is parsed and validated as a whole
// (policy::parsePolicyDocument); anything wrong rejects all of it and the last good one keeps
// running (RELIABILITY.md U12). Accepted bytes are written atomically first, then the effects
// callback makes them take effect. At start the last good policy is loaded and applied; a
// damaged file is set aside (current.pb.bad, counted) and the agent runs without a policy
// until the next one arrives (I4). Not thread-safe (the content manager serializes calls).
class PolicyApplier {
 public:
  using Effects = std::function<void(const v1::Policy&)>;
  PolicyApplier(const std::string& state_dir, Effects effects);

  // Loads and applies the last good policy of `agent_id`; nothing happens when there is none.
  void loadLastGood(const std::string& agent_id);

  // Validates `bytes` (already verified against `artifact`) and applies them.
  // E_POLICY_INVALID when the document does not validate, E_META_MISMATCH when its version
  // is not the one the signed metadata names.
  Status apply(std::string_view bytes, const v1::Artifact& artifact, const std::string& agent_id,
               bool from_offline_bundle, std::chrono::system_clock::time_point now);

  const std::optional<AppliedPolicy>& current() const { return current_; }
  uint64_t setAsideCount() const { return set_aside_; }
  std::string path() const { return dir_ + "/current.pb"; }

 private:
  std::string bundleMarkerPath() const { return dir_ + "/from_bundle"; }
  void setAside(const std::string& why);

  std::string dir_;
  Effects effects_;
  std::optional<AppliedPolicy> current_;
  uint64_t set_aside_ = 0;
};

}  // namespace xiaoan::agent::content
