#include "agent/content/offline_bundle.h"

#include "platform/file_util.h"

namespace xiaoan::agent::content {

Result<v1::OfflineBundle> readOfflineBundle(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, readFile(path, kMaxBundleBytes));
  v1::OfflineBundle bundle;
  if (!bundle.ParseFromString(bytes)) {
    return Status(ErrorCode::kMetaInvalid, path + " is not an offline bundle (does not parse)");
  }
  if (bundle.format() != kBundleFormat) {
    return Status(ErrorCode::kMetaInvalid, path + ": format is '" + bundle.format().substr(0, 64) +
                                               "', expected " + std::string(kBundleFormat));
  }
  return bundle;
}

Result<v1::TrustUpdate> bundleUpdateFor(const v1::OfflineBundle& bundle,
                                        const std::string& agent_id) {
  for (const auto& entry : bundle.entries()) {
    if (entry.agent_id() == agent_id) return entry.update();
  }
  return Status(ErrorCode::kMetaMismatch, "the bundle holds no metadata for agent " + agent_id +
                                              " (" + std::to_string(bundle.entries_size()) +
                                              " entries)");
}

BundleArtifacts::BundleArtifacts(const v1::OfflineBundle& bundle) {
  for (const auto& a : bundle.artifacts()) by_sha256_.emplace(a.sha256(), a.data());
}

Status BundleArtifacts::fetch(const v1::Artifact& artifact, ArtifactStore& store) {
  if (store.holdsVerified(artifact)) return Status::ok();
  auto it = by_sha256_.find(artifact.sha256());
  if (it == by_sha256_.end()) {
    return Status(ErrorCode::kNotFound, "the bundle does not carry " + describeArtifact(artifact));
  }
  return store.put(artifact, it->second);
}

}  // namespace xiaoan::agent::content
