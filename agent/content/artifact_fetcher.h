#pragma once

#include "agent/content/artifact_store.h"
#include "platform/result.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content {

// Brings an artifact named by verified metadata into the store, verified: from the collector
// (ArtifactDownloader) or from an offline bundle (BundleArtifacts).
class ArtifactFetcher {
 public:
  virtual ~ArtifactFetcher() = default;
  // On success store.path(artifact) holds exactly the signed bytes.
  virtual Status fetch(const v1::Artifact& artifact, ArtifactStore& store) = 0;
};

}  // namespace xiaoan::agent::content
