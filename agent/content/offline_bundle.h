#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/content/artifact_fetcher.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// An offline bundle file is at most this large. It is read whole and parsed, so the daemon
// briefly holds about twice this much: it must stay well inside the service's MemoryMax
// (256M, packaging/systemd), or a large bundle gets the agent killed instead of refused.
inline constexpr size_t kMaxBundleBytes = size_t{64} * 1024 * 1024;
inline constexpr std::string_view kBundleFormat = "xiaoan-bundle-v1";

// Reads and parses a bundle file: E_TOO_LARGE over kMaxBundleBytes, E_META_INVALID when it
// does not parse or is not a "xiaoan-bundle-v1" file.
Result<v1::OfflineBundle> readOfflineBundle(const std::string& path);

// The metadata the bundle holds for `agent_id`; E_META_MISMATCH when there is none.
Result<v1::TrustUpdate> bundleUpdateFor(const v1::OfflineBundle& bundle,
                                        const std::string& agent_id);

// Artifacts carried in a bundle: fetch() verifies and stores the bytes the bundle holds for
// the artifact's hash (E_NOT_FOUND when absent, E_ARTIFACT_HASH when they do not match).
// Refers to the bundle, which must outlive it.
class BundleArtifacts final : public ArtifactFetcher {
 public:
  explicit BundleArtifacts(const v1::OfflineBundle& bundle);
  Status fetch(const v1::Artifact& artifact, ArtifactStore& store) override;

 private:
  std::map<std::string, std::string_view> by_sha256_;
};

}  // namespace xiaoan::agent::content
