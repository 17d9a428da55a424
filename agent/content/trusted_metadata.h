#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "agent/content/trust_store.h"
#include "common/trust/trust_verifier.h"
#include "platform/result.h"
#include "xiaoan/v1/agent_api.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// The signed metadata the agent trusts, in memory and on disk (TrustStore), and the first
// step of every update: verification against it (trust::applyUpdate). A verified state is
// used only once it is persisted, so that after a restart the agent trusts exactly what it
// used. Not thread-safe (the content manager serializes calls).
class TrustedMetadata {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  TrustedMetadata(const std::string& state_dir, const std::string& pinned_root_path);

  // Loads the saved state, pinning the installed root on first use. Not OK (and no root
  // afterwards) when there is neither: E_TRUST_ROOT_MISSING, updates are then disabled.
  Status load(TimePoint now);
  bool loadedOnce() const { return loaded_once_; }
  bool hasRoot() const { return state_.has_value(); }

  // Verifies `update` against the trusted state (hasRoot() must be true); nothing changes.
  Result<trust::UpdateOutcome> verify(const v1::TrustUpdate& update,
                                      const trust::UpdateOptions& options) const;
  // Persists a verified state, then uses it; when it cannot be persisted the error is returned
  // and the state in use stays.
  Status adopt(const trust::UpdateOutcome& outcome, TimePoint now);

  // Versions and targets of the trusted chain; nullopt without a root.
  const std::optional<trust::TrustSummary>& summary() const { return summary_; }
  v1::TrustVersions versions() const;
  // The first artifact of the content targets that `matches`; nullptr when none.
  const v1::Artifact* contentTarget(const std::function<bool(const v1::Artifact&)>& matches) const;
  // Hex SHA-256 of every artifact the trusted targets name.
  std::set<std::string> namedArtifacts() const;
  // max(now, the trusted time floor); nullopt without a root.
  std::optional<TimePoint> timeFloor(TimePoint now) const;

  uint64_t setAsideCount() const { return store_.setAsideCount(); }

 private:
  void refreshSummary(TimePoint now);

  TrustStore store_;
  std::optional<v1::TrustState> state_;  // nullopt: no root (updates disabled)
  std::optional<trust::TrustSummary> summary_;
  bool loaded_once_ = false;
};

}  // namespace xiaoan::agent::content
