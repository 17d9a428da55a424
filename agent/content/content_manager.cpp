#include "agent/content/content_manager.h"

#include <set>

#include "common/proto_time.h"
#include "agent/content/offline_bundle.h"
#include "platform/file_util.h"
#include "platform/logging.h"
#include "common/policy/policy_rules.h"
#include "common/trust/metadata.h"
#include "signatures/bundle.h"

namespace xiaoan::agent::content {
namespace {

// Codes that mean "this update must not be used" (security events), as opposed to failures to
// get it (network, disk), which are retried at the next check-in.
bool isRejection(ErrorCode code) {
  switch (code) {
    case ErrorCode::kArtifactHash:
    case ErrorCode::kDownloadTooSlow:
    case ErrorCode::kTooLarge:
    case ErrorCode::kPolicyInvalid:
    case ErrorCode::kRulesInvalid:
    case ErrorCode::kTrustRootMissing:
      return true;
    default:
      return trust::isChannelRejection(code);
  }
}

bool isUnreachable(ErrorCode code) {
  return code == ErrorCode::kCollectorUnreachable || code == ErrorCode::kTimeout;
}

v1::ErrorInfo errorInfoOf(const Status& st) {
  v1::ErrorInfo e;
  e.set_code(std::string(errorCodeName(st.code())));
  e.set_message(st.message());
  return e;
}

const char* sourceName(bool offline) { return offline ? "offline_bundle" : "collector"; }

}  // namespace

ContentManager::ContentManager(ContentManagerOptions options, const Clock& clock,
                               ArtifactFetcher& network, ContentHooks hooks)
    : options_(std::move(options)),
      clock_(clock),
      network_(network),
      hooks_(std::move(hooks)),
      trust_store_(options_.state_dir, options_.pinned_root_path),
      artifacts_(options_.state_dir),
      policy_(options_.state_dir, hooks_.on_policy) {}

void ContentManager::open() {
  std::lock_guard lock(mu_);
  if (!trust_loaded_) loadTrust();
  reportSetAside();
  publish();
}

void ContentManager::start(const std::string& agent_id) {
  std::lock_guard lock(mu_);
  agent_id_ = agent_id;
  Status st = artifacts_.prepare();
  if (!st.isOk()) componentLogger("agent.content")->warn("artifact store: {}", st.toString());
  if (!trust_loaded_) loadTrust();
  policy_.loadLastGood(agent_id);
  reportSetAside();
  publish();
}

void ContentManager::loadTrust() {
  const bool first = !trust_loaded_;
  trust_loaded_ = true;
  auto loaded = trust_store_.load(clock_.now());
  if (loaded.isOk()) {
    state_ = std::move(loaded).value();
    condition("content_root", Status::ok());
  } else {
    state_.reset();
    // Retried at every update; said once.
    if (first) {
      componentLogger("agent.content")
          ->warn("signed updates disabled: {}", loaded.status().toString());
    }
    condition("content_root", loaded.status());
  }
  refreshSummary();
}

void ContentManager::refreshSummary() {
  summary_.reset();
  if (!state_) return;
  auto s = trust::summarize(*state_, clock_.now());
  if (s.isOk()) summary_ = std::move(s).value();
}

// Damaged files set aside are reported until the channel works again (RELIABILITY.md I4).
void ContentManager::reportSetAside() {
  const uint64_t trust = trust_store_.setAsideCount(), policy = policy_.setAsideCount();
  if (trust + policy == 0) return;
  condition("content_state",
            Status(ErrorCode::kMetaInvalid, "damaged files set aside: " + std::to_string(trust) +
                                                " trust state, " + std::to_string(policy) +
                                                " policy (see *.bad in the state directory)"));
}

v1::TrustVersions ContentManager::trustVersions() const {
  std::lock_guard lock(mu_);
  v1::TrustVersions v;
  if (!summary_) return v;
  v.set_root(summary_->root_version);
  v.set_timestamp(summary_->timestamp_version);
  v.set_content_targets(summary_->content_targets_version);
  v.set_release_targets(summary_->release_targets_version);
  return v;
}

uint64_t ContentManager::policyVersion() const {
  std::lock_guard lock(mu_);
  return policyVersionLocked();
}

uint64_t ContentManager::policyVersionLocked() const {
  return policy_.current() ? policy_.current()->document.version() : 0;
}

Status ContentManager::handleUpdate(const v1::TrustUpdate& update) {
  std::lock_guard lock(mu_);
  return process(update, network_, Source::kCollector, nullptr);
}

Result<v1::ApplyBundleResponse> ContentManager::applyBundle(const std::string& path) {
  std::lock_guard lock(mu_);
  if (agent_id_.empty()) {
    return Status(ErrorCode::kNotEnrolled, "the agent is not enrolled yet (bundles name agents)");
  }
  auto bundle = readOfflineBundle(path);
  if (!bundle.isOk()) {
    if (!isRejection(bundle.status().code())) return bundle.status();
    return reject(bundle.status(), {}, Source::kOfflineBundle);
  }
  auto update = bundleUpdateFor(*bundle, agent_id_);
  if (!update.isOk()) return reject(update.status(), {}, Source::kOfflineBundle);
  BundleArtifacts artifacts(*bundle);
  const uint64_t policy_before = policyVersionLocked();
  const std::string signatures_before = signaturesLoaded().sha256;
  trust::UpdateOutcome outcome;
  XIAOAN_RETURN_IF_ERROR(process(*update, artifacts, Source::kOfflineBundle, &outcome));
  v1::ApplyBundleResponse r;
  r.set_root_version(summary_ ? summary_->root_version : 0);
  r.set_policy_version(policyVersionLocked());
  r.set_changed(outcome.changed || r.policy_version() != policy_before ||
                signaturesLoaded().sha256 != signatures_before);
  for (const auto& w : outcome.waived) r.add_waived(w);
  return r;
}

Status ContentManager::process(const v1::TrustUpdate& update, ArtifactFetcher& fetcher,
                               Source source, trust::UpdateOutcome* outcome_out) {
  XIAOAN_RETURN_IF_ERROR(ensureRoot(source));
  const trust::UpdateOptions options{agent_id_, clock_.now(), source == Source::kOfflineBundle};
  auto outcome = trust::applyUpdate(*state_, update, options);
  if (!outcome.isOk()) {
    Subject subject;
    if (outcome.status().code() == ErrorCode::kRootChain) subject.role = v1::ROLE_ROOT;
    return failure(outcome.status(), subject, source);
  }
  XIAOAN_RETURN_IF_ERROR(accept(*outcome, source));
  Status st = syncPolicy(fetcher, source);
  // Independent artifacts: a rejected policy does not hold back new signatures, or vice versa.
  Status sigs = syncSignatures(fetcher, source);
  if (st.isOk()) st = sigs;
  collectGarbage();
  publish();
  if (outcome_out != nullptr) *outcome_out = std::move(outcome).value();
  return st;
}

// An update needs a trusted root; one installed since start is picked up here.
Status ContentManager::ensureRoot(Source source) {
  if (state_) return Status::ok();
  loadTrust();
  if (state_) return Status::ok();
  Subject subject;
  subject.role = v1::ROLE_ROOT;
  return reject(
      Status(ErrorCode::kTrustRootMissing, "no pinned root metadata (" + options_.pinned_root_path +
                                               "): signed updates cannot be verified"),
      subject, source);
}

Status ContentManager::accept(const trust::UpdateOutcome& outcome, Source source) {
  auto log = componentLogger("agent.content");
  last_verified_at_ = clock_.now();
  for (const auto& w : outcome.waived) log->warn("offline bundle: freshness check waived: {}", w);
  if (!outcome.changed) return Status::ok();
  Status saved = trust_store_.save(outcome.state);
  if (!saved.isOk()) {
    // Not used unless persisted: after a restart the agent must trust exactly what it used.
    log->error("verified metadata not persisted, not used: {}", saved.toString());
    condition("content_state", saved);
    return saved;
  }
  state_ = outcome.state;
  refreshSummary();
  condition("content_state", Status::ok());
  // New metadata ends a rejection of metadata; a refused artifact it still names stays refused.
  clearRejectionFor(v1::ARTIFACT_KIND_UNSPECIFIED);
  if (outcome.content_keys_rotated || outcome.timestamp_keys_rotated) {
    log->warn("content/timestamp keys rotated by root v{}: older versions forgotten",
              outcome.root_version_after);
  }
  if (outcome.root_version_after != outcome.root_version_before) {
    emit(v1::ContentUpdateEvent::OUTCOME_APPLIED,
         {v1::ROLE_ROOT, v1::ARTIFACT_KIND_UNSPECIFIED, outcome.root_version_after,
          outcome.root_version_before},
         source, Status::ok());
  }
  return Status::ok();
}

const v1::Artifact* ContentManager::policyTarget() const {
  if (!summary_ || !summary_->content) return nullptr;
  for (const auto& a : summary_->content->artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_POLICY && a.name() == "policy") return &a;
  }
  return nullptr;
}

Status ContentManager::syncPolicy(ArtifactFetcher& fetcher, Source source) {
  const v1::Artifact* target = policyTarget();
  const auto& current = policy_.current();
  if (target == nullptr || (current && current->sha256 == target->sha256())) return Status::ok();
  // Judged once: the same invalid bytes would only be rejected again.
  if (target->sha256() == rejected_policy_sha_) return rejected_policy_status_;
  const Subject subject{v1::ROLE_CONTENT, v1::ARTIFACT_KIND_POLICY, target->version(),
                        policyVersionLocked()};
  const v1::Artifact artifact = *target;
  Status st = loadPolicy(artifact, fetcher, source);
  if (!st.isOk()) {
    if (st.code() == ErrorCode::kPolicyInvalid || st.code() == ErrorCode::kMetaMismatch) {
      rejected_policy_sha_ = artifact.sha256();
      rejected_policy_status_ = st;
    }
    return failure(st, subject, source);
  }
  condition("content_fetch", Status::ok());
  clearRejectionFor(v1::ARTIFACT_KIND_POLICY);
  emit(v1::ContentUpdateEvent::OUTCOME_APPLIED, subject, source, Status::ok());
  return Status::ok();
}

Status ContentManager::loadPolicy(const v1::Artifact& target, ArtifactFetcher& fetcher,
                                  Source source) {
  if (target.length() > policy::kMaxPolicyDocumentBytes) {
    return Status(ErrorCode::kPolicyInvalid, describeArtifact(target) + " is " +
                                                 std::to_string(target.length()) +
                                                 " bytes, a policy may have at most " +
                                                 std::to_string(policy::kMaxPolicyDocumentBytes));
  }
  XIAOAN_RETURN_IF_ERROR(fetcher.fetch(target, artifacts_));
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes,
                          artifacts_.read(target, policy::kMaxPolicyDocumentBytes));
  return policy_.apply(bytes, target, agent_id_, source == Source::kOfflineBundle, clock_.now());
}

const v1::Artifact* ContentManager::signaturesTarget() const {
  if (!summary_ || !summary_->content) return nullptr;
  for (const auto& a : summary_->content->artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_SIGNATURES) return &a;
  }
  return nullptr;
}

LoadedSignatureArtifact ContentManager::signaturesLoaded() const {
  return hooks_.signatures_loaded ? hooks_.signatures_loaded() : LoadedSignatureArtifact{};
}

// Like syncPolicy: a bundle that does not compile is judged once (its hash remembered), so a
// check-in every minute does not download and compile it again, nor send the event again.
Status ContentManager::syncSignatures(ArtifactFetcher& fetcher, Source source) {
  const v1::Artifact* target = signaturesTarget();
  const LoadedSignatureArtifact loaded = signaturesLoaded();
  if (target == nullptr || !hooks_.on_signatures || loaded.sha256 == target->sha256()) {
    return Status::ok();
  }
  if (target->sha256() == rejected_signatures_sha_) return rejected_signatures_status_;
  const v1::Artifact artifact = *target;
  const Subject subject{v1::ROLE_CONTENT, v1::ARTIFACT_KIND_SIGNATURES, artifact.version(),
                        loaded.version};
  const Status st = loadSignatures(artifact, fetcher);
  if (!st.isOk()) {
    if (st.code() == ErrorCode::kRulesInvalid || st.code() == ErrorCode::kMetaMismatch ||
        st.code() == ErrorCode::kTooLarge) {
      rejected_signatures_sha_ = artifact.sha256();
      rejected_signatures_status_ = st;
    }
    return failure(st, subject, source);
  }
  condition("content_fetch", Status::ok());
  clearRejectionFor(v1::ARTIFACT_KIND_SIGNATURES);
  emit(v1::ContentUpdateEvent::OUTCOME_APPLIED, subject, source, Status::ok());
  return Status::ok();
}

Status ContentManager::loadSignatures(const v1::Artifact& target, ArtifactFetcher& fetcher) {
  if (target.length() > sig::kMaxBundleBytes) {
    return Status(ErrorCode::kTooLarge, describeArtifact(target) + " is " +
                                            std::to_string(target.length()) +
                                            " bytes, a signature bundle may have at most " +
                                            std::to_string(sig::kMaxBundleBytes));
  }
  XIAOAN_RETURN_IF_ERROR(fetcher.fetch(target, artifacts_));
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, artifacts_.read(target, sig::kMaxBundleBytes));
  return hooks_.on_signatures(bytes, target);
}

// Rejections are reported as such; other failures are retried at the next check-in.
Status ContentManager::failure(const Status& st, const Subject& subject, Source source) {
  if (isRejection(st.code())) return reject(st, subject, source);
  if (isUnreachable(st.code())) {
    componentLogger("agent.content")->warn("content update postponed: {}", st.toString());
  } else {
    componentLogger("agent.content")->warn("content update failed: {}", st.toString());
    condition("content_fetch", st);
  }
  return st;
}

Status ContentManager::reject(const Status& st, const Subject& subject, Source source) {
  componentLogger("agent.content")
      ->warn("update from {} rejected; what runs stays: {}",
             sourceName(source == Source::kOfflineBundle), st.toString());
  last_rejection_ = errorInfoOf(st);
  last_rejection_at_ = clock_.now();
  last_rejection_kind_ = subject.kind;
  condition("content", st);
  const std::string key = st.toString();
  if (key != last_event_key_) {
    emit(v1::ContentUpdateEvent::OUTCOME_REJECTED, subject, source, st);
    last_event_key_ = key;
  }
  publish();
  return st;
}

void ContentManager::clearRejectionFor(v1::ArtifactKind kind) {
  if (last_rejection_ && last_rejection_kind_ != v1::ARTIFACT_KIND_UNSPECIFIED &&
      last_rejection_kind_ != kind) {
    return;
  }
  clearRejection();
}

void ContentManager::clearRejection() {
  last_rejection_.reset();
  last_rejection_at_.reset();
  last_event_key_.clear();
  condition("content", Status::ok());
}

void ContentManager::emit(v1::ContentUpdateEvent::Outcome outcome, const Subject& subject,
                          Source source, const Status& error) {
  if (!hooks_.on_event) return;
  v1::ContentUpdateEvent e;
  e.set_outcome(outcome);
  e.set_role(subject.role);
  e.set_kind(subject.kind);
  e.set_version(subject.version);
  e.set_previous_version(subject.previous_version);
  if (!error.isOk()) *e.mutable_error() = errorInfoOf(error);
  e.set_source(sourceName(source == Source::kOfflineBundle));
  hooks_.on_event(std::move(e));
}

// Keeps what the trusted targets name (and the running policy); partial downloads of those
// stay for resumption.
void ContentManager::collectGarbage() {
  std::set<std::string> keep;
  if (summary_) {
    for (const auto* targets : {&summary_->content, &summary_->release}) {
      if (!*targets) continue;
      for (const auto& a : (*targets)->artifacts()) keep.insert(artifactHex(a));
    }
  }
  if (policy_.current()) keep.insert(toHex(policy_.current()->sha256));
  artifacts_.collectGarbage(keep);
}

void ContentManager::condition(const std::string& key, const Status& st) {
  if (hooks_.on_condition) hooks_.on_condition(key, st);
}

}  // namespace xiaoan::agent::content
