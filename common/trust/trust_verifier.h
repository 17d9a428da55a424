#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::trust {

using TimePoint = std::chrono::system_clock::time_point;

struct UpdateOptions {
  // Timestamp and content targets must be issued to this agent.
  std::string agent_id;
  // Agent wall clock; expiry uses max(wall_now, state.time_floor).
  TimePoint wall_now;
  // Offline bundle: expiry is waived (and listed in UpdateOutcome::waived); signatures, hashes,
  // agent binding and versions are still enforced.
  bool offline = false;
};

struct UpdateOutcome {
  // The new trusted state: persist it atomically, then use it. Equal to the current state when
  // nothing changed.
  v1::TrustState state;
  bool changed = false;
  uint64_t root_version_before = 0;
  uint64_t root_version_after = 0;
  // The content, timestamp or release keys changed in a root rotation, so the versions trusted
  // under the old keys were forgotten, including the targets versions the trusted timestamp
  // named for that role (fast-forward attack recovery, RELIABILITY.md U9).
  bool content_keys_rotated = false;
  bool timestamp_keys_rotated = false;
  bool release_keys_rotated = false;
  // Expiry checks skipped because the update came from an offline bundle, one line each.
  std::vector<std::string> waived;
};

// Verifies `update` against the trusted `current` state (RELIABILITY.md I1). Pure: no I/O.
// Order: roots (each N -> N+1 signed by the old and the new root threshold, else
// E_ROOT_CHAIN; the final root must be unexpired), timestamp (timestamp role threshold, this
// agent, version not lower, unexpired), then each targets payload named by the timestamp
// (matching length and SHA-256 else E_META_MISMATCH, signed by its own role, this agent for
// content, version as named and not lower, artifact versions not lower, unexpired).
// Any failure leaves nothing changed: the caller keeps `current`.
// E_TRUST_ROOT_MISSING when `current` has no root.
Result<UpdateOutcome> applyUpdate(const v1::TrustState& current, const v1::TrustUpdate& update,
                                  const UpdateOptions& options);

// Creates the initial state from pinned root metadata (verified against its own threshold).
Result<v1::TrustState> stateFromPinnedRoot(const v1::SignedEnvelope& root);

// What a trusted state says, parsed (the state was verified when it was accepted; parsing again
// guards against a damaged file: E_META_INVALID).
struct TrustSummary {
  uint64_t root_version = 0;
  uint64_t timestamp_version = 0;
  uint64_t content_targets_version = 0;
  uint64_t release_targets_version = 0;
  std::optional<v1::TargetsMetadata> content;
  std::optional<v1::TargetsMetadata> release;
  TimePoint time_floor;
  // Earliest expiry among root, timestamp and targets; nullopt when nothing expires.
  std::optional<TimePoint> expires;
  // expires < max(wall_now, time_floor).
  bool stale = false;
};
Result<TrustSummary> summarize(const v1::TrustState& state, TimePoint wall_now);

// max(wall_now, state.time_floor).
TimePoint timeFloor(const v1::TrustState& state, TimePoint wall_now);

}  // namespace xiaoan::trust
