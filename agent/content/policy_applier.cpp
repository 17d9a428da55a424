#include "agent/content/policy_applier.h"

#include <cstdio>

#include "common/crypto/ed25519.h"
#include "common/policy/policy_rules.h"
#include "platform/file.h"
#include "platform/file_util.h"
#include "platform/logging.h"

namespace xiaoan::agent::content {
namespace {

std::chrono::system_clock::time_point modificationTime(const std::string& path) {
  auto st = statPath(path, /*follow=*/true);
  if (!st.isOk()) return {};
  return std::chrono::system_clock::from_time_t(st->mtime_ns / 1'000'000'000);
}

}  // namespace

PolicyApplier::PolicyApplier(const std::string& state_dir, Effects effects)
    : dir_(state_dir + "/policy"), effects_(std::move(effects)) {}

void PolicyApplier::loadLastGood(const std::string& agent_id) {
  auto log = componentLogger(LogComponent::kAgentContent);
  auto bytes = readFile(path(), policy::kMaxPolicyDocumentBytes);
  if (!bytes.isOk()) {
    if (bytes.status().code() == ErrorCode::kNotFound) {
      log->info("no policy applied yet: running with the built-in settings");
    } else {
      setAside(bytes.status().toString());
    }
    return;
  }
  auto document = policy::parsePolicyDocument(*bytes, agent_id);
  if (!document.isOk()) {
    setAside(document.status().toString());
    return;
  }
  AppliedPolicy applied{std::move(*document), crypto::sha256(*bytes), modificationTime(path()),
                        pathExists(bundleMarkerPath())};
  log->info("running the last good policy v{}", applied.document.version());
  current_ = std::move(applied);
  if (effects_) effects_(current_->document.policy());
}

Status PolicyApplier::apply(std::string_view bytes, const v1::Artifact& artifact,
                            const std::string& agent_id, bool from_offline_bundle,
                            std::chrono::system_clock::time_point now) {
  XIAOAN_ASSIGN_OR_RETURN(v1::PolicyDocument document,
                          policy::parsePolicyDocument(bytes, agent_id));
  if (document.version() != artifact.version()) {
    return Status(ErrorCode::kMetaMismatch,
                  "policy document says version " + std::to_string(document.version()) +
                      ", the signed metadata names version " + std::to_string(artifact.version()));
  }
  XIAOAN_RETURN_IF_ERROR(makeDirs(dir_, 0700));
  XIAOAN_RETURN_IF_ERROR(atomicWriteFile(path(), bytes, 0600));
  // Only a status detail: a crash between the two writes mislabels the source, nothing more.
  Status marker = from_offline_bundle ? atomicWriteFile(bundleMarkerPath(), "", 0600)
                                      : (std::remove(bundleMarkerPath().c_str()), Status::ok());
  if (!marker.isOk())
    componentLogger(LogComponent::kAgentContent)->warn("policy: {}", marker.toString());
  current_ =
      AppliedPolicy{std::move(document), std::string(artifact.sha256()), now, from_offline_bundle};
  componentLogger(LogComponent::kAgentContent)
      ->info("applied policy v{}{}", current_->document.version(),
             from_offline_bundle ? " from an offline bundle" : "");
  if (effects_) effects_(current_->document.policy());
  return Status::ok();
}

void PolicyApplier::setAside(const std::string& why) {
  const std::string bad = path() + ".bad";
  componentLogger(LogComponent::kAgentContent)
      ->warn("{}: {}; moved to {}, running with the built-in settings until the next policy",
             path(), why, bad);
  std::rename(path().c_str(), bad.c_str());
  ++set_aside_;
}

}  // namespace xiaoan::agent::content
