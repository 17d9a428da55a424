#include "agent/content/content_manager.h"

#include <set>

#include "agent/content/offline_bundle.h"
#include "common/text/time_format.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "platform/logging.h"

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

std::string runningSha(const ArtifactApplier& applier) {
  const auto running = applier.running();
  return running ? running->sha256 : std::string();
}

}  // namespace

ContentManager::ContentManager(ContentManagerOptions options, const Clock& clock,
                               ArtifactFetcher& network, ContentReporter& reporter,
                               ContentConsumer& consumer)
    : options_(std::move(options)),
      clock_(clock),
      network_(network),
      metadata_(options_.state_dir, options_.pinned_root_path),
      artifacts_(options_.state_dir),
      policy_(options_.state_dir, consumer),
      signatures_(consumer),
      policy_sync_(policy_, artifacts_),
      signature_sync_(signatures_, artifacts_),
      status_(clock_, metadata_, policy_, reporter),
      events_(reporter) {}

void ContentManager::open() {
  std::lock_guard lock(mu_);
  if (!metadata_.loadedOnce()) loadTrust();
  reportSetAside();
  status_.publish();
}

void ContentManager::start(const std::string& agent_id) {
  std::lock_guard lock(mu_);
  agent_id_ = agent_id;
  Status st = artifacts_.prepare();
  if (!st.isOk())
    componentLogger(LogComponent::kAgentContent)->warn("artifact store: {}", st.toString());
  if (!metadata_.loadedOnce()) loadTrust();
  policy_.loadLastGood(agent_id);
  reportSetAside();
  status_.publish();
}

void ContentManager::loadTrust() {
  const bool first = !metadata_.loadedOnce();
  Status st = metadata_.load(clock_.now());
  // Retried at every update; said once.
  if (!st.isOk() && first) {
    componentLogger(LogComponent::kAgentContent)
        ->warn("signed updates disabled: {}", st.toString());
  }
  status_.setCondition("content_root", st);
}

// Damaged files set aside are reported until the channel works again (RELIABILITY.md I4).
void ContentManager::reportSetAside() {
  const uint64_t trust = metadata_.setAsideCount(), policy = policy_.setAsideCount();
  if (trust + policy == 0) return;
  status_.setCondition("content_state", Status(ErrorCode::kMetaInvalid,
                                               "damaged files set aside: " + std::to_string(trust) +
                                                   " trust state, " + std::to_string(policy) +
                                                   " policy (see *.bad in the state directory)"));
}

v1::TrustVersions ContentManager::trustVersions() const {
  std::lock_guard lock(mu_);
  return metadata_.versions();
}

uint64_t ContentManager::policyVersion() const {
  std::lock_guard lock(mu_);
  return policy_.version();
}

v1::ContentStatus ContentManager::status() const {
  std::lock_guard lock(mu_);
  return status_.status();
}

Status ContentManager::handleUpdate(const v1::TrustUpdate& update) {
  std::lock_guard lock(mu_);
  return process(update, network_, UpdateSource::kCollector, nullptr);
}

Result<v1::ApplyBundleResponse> ContentManager::applyBundle(const std::string& path) {
  std::lock_guard lock(mu_);
  if (agent_id_.empty()) {
    return Status(ErrorCode::kNotEnrolled, "the agent is not enrolled yet (bundles name agents)");
  }
  auto bundle = readOfflineBundle(path);
  if (!bundle.isOk()) {
    if (!isRejection(bundle.status().code())) return bundle.status();
    return reject(bundle.status(), {}, UpdateSource::kOfflineBundle);
  }
  auto update = bundleUpdateFor(*bundle, agent_id_);
  if (!update.isOk()) return reject(update.status(), {}, UpdateSource::kOfflineBundle);
  BundleArtifacts artifacts(*bundle);
  const uint64_t policy_before = policy_.version();
  const std::string signatures_before = runningSha(signatures_);
  trust::UpdateOutcome outcome;
  XIAOAN_RETURN_IF_ERROR(process(*update, artifacts, UpdateSource::kOfflineBundle, &outcome));
  v1::ApplyBundleResponse r;
  r.set_root_version(metadata_.versions().root());
  r.set_policy_version(policy_.version());
  r.set_changed(outcome.changed || r.policy_version() != policy_before ||
                runningSha(signatures_) != signatures_before);
  for (const auto& w : outcome.waived) r.add_waived(w);
  return r;
}

Status ContentManager::process(const v1::TrustUpdate& update, ArtifactFetcher& fetcher,
                               UpdateSource source, trust::UpdateOutcome* outcome_out) {
  XIAOAN_RETURN_IF_ERROR(ensureRoot(source));
  const trust::UpdateOptions options{agent_id_, clock_.now(),
                                     source == UpdateSource::kOfflineBundle};
  auto outcome = metadata_.verify(update, options);
  if (!outcome.isOk()) {
    UpdateSubject subject;
    if (outcome.status().code() == ErrorCode::kRootChain) subject.role = v1::ROLE_ROOT;
    return failure(outcome.status(), subject, source);
  }
  XIAOAN_RETURN_IF_ERROR(accept(*outcome, source));
  Status st = syncArtifact(policy_sync_, fetcher, source);
  // Independent artifacts: a rejected policy does not hold back new signatures, or vice versa.
  Status sigs = syncArtifact(signature_sync_, fetcher, source);
  if (st.isOk()) st = sigs;
  collectGarbage();
  status_.publish();
  if (outcome_out != nullptr) *outcome_out = std::move(outcome).value();
  return st;
}

// An update needs a trusted root; one installed since start is picked up here.
Status ContentManager::ensureRoot(UpdateSource source) {
  if (metadata_.hasRoot()) return Status::ok();
  loadTrust();
  if (metadata_.hasRoot()) return Status::ok();
  UpdateSubject subject;
  subject.role = v1::ROLE_ROOT;
  return reject(
      Status(ErrorCode::kTrustRootMissing, "no pinned root metadata (" + options_.pinned_root_path +
                                               "): signed updates cannot be verified"),
      subject, source);
}

Status ContentManager::accept(const trust::UpdateOutcome& outcome, UpdateSource source) {
  auto log = componentLogger(LogComponent::kAgentContent);
  status_.verified();
  for (const auto& w : outcome.waived) log->warn("offline bundle: freshness check waived: {}", w);
  if (!outcome.changed) return Status::ok();
  Status saved = metadata_.adopt(outcome, clock_.now());
  if (!saved.isOk()) {
    // Not used unless persisted: after a restart the agent must trust exactly what it used.
    log->error("verified metadata not persisted, not used: {}", saved.toString());
    status_.setCondition("content_state", saved);
    return saved;
  }
  status_.setCondition("content_state", Status::ok());
  // New metadata ends a rejection of metadata; a refused artifact it still names stays refused.
  status_.clearRejectionFor(v1::ARTIFACT_KIND_UNSPECIFIED);
  if (outcome.content_keys_rotated || outcome.timestamp_keys_rotated) {
    log->warn("content/timestamp keys rotated by root v{}: older versions forgotten",
              outcome.root_version_after);
  }
  if (outcome.root_version_after != outcome.root_version_before) {
    events_.emit(v1::ContentUpdateEvent::OUTCOME_APPLIED,
                 {v1::ROLE_ROOT, v1::ARTIFACT_KIND_UNSPECIFIED, outcome.root_version_after,
                  outcome.root_version_before},
                 source, Status::ok());
  }
  return Status::ok();
}

// The artifact of one kind that the trusted targets name, brought into effect; what happened
// decides what is reported.
Status ContentManager::syncArtifact(ArtifactSync& sync, ArtifactFetcher& fetcher,
                                    UpdateSource source) {
  const ArtifactRules& rules = sync.rules();
  const v1::Artifact* target =
      metadata_.contentTarget([&](const v1::Artifact& a) { return rules.names(a); });
  const ApplyContext context{agent_id_, source == UpdateSource::kOfflineBundle, clock_};
  const SyncResult r = sync.sync(target, fetcher, context);
  switch (r.kind) {
    case SyncResult::Kind::kUpToDate:
      return Status::ok();
    case SyncResult::Kind::kRefusedBefore:
      return r.status;
    case SyncResult::Kind::kFailed:
      return failure(r.status, r.subject, source);
    case SyncResult::Kind::kApplied:
      break;
  }
  status_.setCondition("content_fetch", Status::ok());
  status_.clearRejectionFor(rules.kind);
  events_.emit(v1::ContentUpdateEvent::OUTCOME_APPLIED, r.subject, source, Status::ok());
  return Status::ok();
}

// Rejections are reported as such; other failures are retried at the next check-in.
Status ContentManager::failure(const Status& st, const UpdateSubject& subject,
                               UpdateSource source) {
  if (isRejection(st.code())) return reject(st, subject, source);
  if (isUnreachable(st.code())) {
    componentLogger(LogComponent::kAgentContent)
        ->warn("content update postponed: {}", st.toString());
  } else {
    componentLogger(LogComponent::kAgentContent)->warn("content update failed: {}", st.toString());
    status_.setCondition("content_fetch", st);
  }
  return st;
}

Status ContentManager::reject(const Status& st, const UpdateSubject& subject, UpdateSource source) {
  componentLogger(LogComponent::kAgentContent)
      ->warn("update from {} rejected; what runs stays: {}", sourceName(source), st.toString());
  if (status_.recordRejection(st, subject.kind)) {
    events_.emit(v1::ContentUpdateEvent::OUTCOME_REJECTED, subject, source, st);
  }
  status_.publish();
  return st;
}

void ContentManager::checkFreshness() {
  std::lock_guard lock(mu_);
  if (const auto expired = status_.becameStale()) {
    const auto expires = std::chrono::system_clock::to_time_t(*expired);
    const Status st(ErrorCode::kMetaExpired,
                    "signed metadata expired at " + formatLocalTime(expires) +
                        "; updates blocked until fresh metadata arrives, the policy stays");
    componentLogger(LogComponent::kAgentContent)->warn("{}", st.toString());
    UpdateSubject subject;
    subject.role = v1::ROLE_TIMESTAMP;
    subject.version = metadata_.versions().timestamp();
    events_.emit(v1::ContentUpdateEvent::OUTCOME_STALE, subject, UpdateSource::kCollector, st);
  }
  status_.publish();
}

// Keeps what the trusted targets name (and the running policy); partial downloads of those
// stay for resumption.
void ContentManager::collectGarbage() {
  std::set<std::string> keep = metadata_.namedArtifacts();
  if (policy_.current()) keep.insert(toHex(policy_.current()->sha256));
  artifacts_.collectGarbage(keep);
}

}  // namespace xiaoan::agent::content
