#include "agent/content/trust_store.h"

#include <cstdio>

#include "common/trust/metadata.h"
#include "common/trust/trust_verifier.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::content {
namespace {

// Four envelopes of at most kMaxEnvelopeBytes each, plus framing.
constexpr size_t kMaxStateBytes = 4 * trust::kMaxEnvelopeBytes + 4096;

}  // namespace

TrustStore::TrustStore(const std::string& state_dir, std::string pinned_root_path)
    : dir_(state_dir + "/trust"), pinned_root_path_(std::move(pinned_root_path)) {}

Result<v1::TrustState> TrustStore::load(std::chrono::system_clock::time_point now) {
  auto saved = loadSaved(now);
  if (saved.isOk() || saved.status().code() != ErrorCode::kNotFound) return saved;
  XIAOAN_ASSIGN_OR_RETURN(v1::TrustState state, pin());
  Status st = save(state);
  // Not fatal: the pinned root is still trusted in memory, and pinning again is cheap.
  if (!st.isOk())
    componentLogger(LogComponent::kAgentContent)->warn("trust state: {}", st.toString());
  return state;
}

// The saved state; E_NOT_FOUND when there is none usable (absent, or set aside just now).
Result<v1::TrustState> TrustStore::loadSaved(std::chrono::system_clock::time_point now) {
  auto bytes = readFile(path(), kMaxStateBytes);
  if (!bytes.isOk()) {
    if (bytes.status().code() == ErrorCode::kNotFound) return bytes.status();
    if (bytes.status().code() != ErrorCode::kTooLarge) return bytes.status();
    setAside("too large");
    return Status(ErrorCode::kNotFound, "trust state set aside");
  }
  v1::TrustState state;
  if (!state.ParseFromString(*bytes) || !state.has_root()) {
    setAside("does not parse");
    return Status(ErrorCode::kNotFound, "trust state set aside");
  }
  // The state was verified when it was saved; parsing it again catches damage on disk.
  auto summary = trust::summarize(state, now);
  if (!summary.isOk()) {
    setAside(summary.status().toString());
    return Status(ErrorCode::kNotFound, "trust state set aside");
  }
  return state;
}

Result<v1::TrustState> TrustStore::pin() {
  auto log = componentLogger(LogComponent::kAgentContent);
  auto bytes = readFile(pinned_root_path_, trust::kMaxEnvelopeBytes);
  if (!bytes.isOk()) {
    return Status(ErrorCode::kTrustRootMissing,
                  "no pinned root metadata: " + bytes.status().toString());
  }
  auto envelope = trust::parseEnvelope(*bytes);
  if (!envelope.isOk()) {
    return Status(ErrorCode::kTrustRootMissing,
                  pinned_root_path_ + ": " + envelope.status().toString());
  }
  auto state = trust::stateFromPinnedRoot(*envelope);
  if (!state.isOk()) {
    return Status(ErrorCode::kTrustRootMissing,
                  pinned_root_path_ + " does not verify: " + state.status().toString());
  }
  log->info("pinned root metadata from {}", pinned_root_path_);
  return state;
}

Status TrustStore::save(const v1::TrustState& state) {
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir_, 0700));
  return atomicWriteFile(path(), state.SerializeAsString(), 0600);
}

void TrustStore::setAside(const std::string& why) {
  const std::string bad = path() + ".bad";
  componentLogger(LogComponent::kAgentContent)
      ->warn("{}: {}; moved to {}, pinning the installed root again", path(), why, bad);
  std::rename(path().c_str(), bad.c_str());
  ++set_aside_;
}

}  // namespace xiaoan::agent::content
