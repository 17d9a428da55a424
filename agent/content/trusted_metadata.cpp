#include "agent/content/trusted_metadata.h"

#include "agent/content/artifact_store.h"

namespace xiaoan::agent::content {

TrustedMetadata::TrustedMetadata(const std::string& state_dir, const std::string& pinned_root_path)
    : store_(state_dir, pinned_root_path) {}

Status TrustedMetadata::load(TimePoint now) {
  loaded_once_ = true;
  auto loaded = store_.load(now);
  if (loaded.isOk()) {
    state_ = std::move(loaded).value();
  } else {
    state_.reset();
  }
  refreshSummary(now);
  return loaded.isOk() ? Status::ok() : loaded.status();
}

Result<trust::UpdateOutcome> TrustedMetadata::verify(const v1::TrustUpdate& update,
                                                     const trust::UpdateOptions& options) const {
  return trust::applyUpdate(*state_, update, options);
}

Status TrustedMetadata::adopt(const trust::UpdateOutcome& outcome, TimePoint now) {
  XIAOAN_RETURN_IF_ERROR(store_.save(outcome.state));
  state_ = outcome.state;
  refreshSummary(now);
  return Status::ok();
}

void TrustedMetadata::refreshSummary(TimePoint now) {
  summary_.reset();
  if (!state_) return;
  auto s = trust::summarize(*state_, now);
  if (s.isOk()) summary_ = std::move(s).value();
}

v1::TrustVersions TrustedMetadata::versions() const {
  v1::TrustVersions v;
  if (!summary_) return v;
  v.set_root(summary_->root_version);
  v.set_timestamp(summary_->timestamp_version);
  v.set_content_targets(summary_->content_targets_version);
  v.set_release_targets(summary_->release_targets_version);
  return v;
}

const v1::Artifact* TrustedMetadata::contentTarget(
    const std::function<bool(const v1::Artifact&)>& matches) const {
  if (!summary_ || !summary_->content) return nullptr;
  for (const auto& a : summary_->content->artifacts()) {
    if (matches(a)) return &a;
  }
  return nullptr;
}

std::set<std::string> TrustedMetadata::namedArtifacts() const {
  std::set<std::string> named;
  if (!summary_) return named;
  for (const auto* targets : {&summary_->content, &summary_->release}) {
    if (!*targets) continue;
    for (const auto& a : (*targets)->artifacts()) named.insert(artifactHex(a));
  }
  return named;
}

std::optional<TrustedMetadata::TimePoint> TrustedMetadata::timeFloor(TimePoint now) const {
  if (!state_) return std::nullopt;
  return trust::timeFloor(*state_, now);
}

}  // namespace xiaoan::agent::content
