#include "service/collector/trust/content_issuer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "common/crypto/ed25519.h"
#include "common/policy/policy_rules.h"
#include "common/trust/metadata.h"
#include "platform/logging.h"
#include "service/collector/trust/crypto_util.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::collector {
namespace {

using google::protobuf::util::TimeUtil;

int64_t nowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
      .count();
}

int64_t ttlMs(std::chrono::seconds ttl) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
}

// Less than half of the lifetime left: re-sign, so agents never run into the expiry.
bool dueForRenewal(int64_t expires_ms, int64_t now_ms, std::chrono::seconds ttl) {
  return expires_ms - now_ms < ttlMs(ttl) / 2;
}

bool signedBy(const std::string& envelope_bytes, const crypto::SigningKey& key) {
  auto envelope = trust::parseEnvelope(envelope_bytes);
  return envelope.isOk() &&
         std::any_of(envelope->signatures().begin(), envelope->signatures().end(),
                     [&](const v1::Signature& s) { return s.key_id() == key.keyId(); });
}

Result<std::string> signAs(v1::Role role, const google::protobuf::Message& payload,
                           const crypto::SigningKey& key) {
  const crypto::SigningKey* keys[] = {&key};
  XIAOAN_ASSIGN_OR_RETURN(v1::SignedEnvelope envelope, trust::signMessage(role, payload, keys));
  return trust::serializeDeterministic(envelope);
}

Result<v1::SignedEnvelope> storedEnvelope(const std::string& bytes) {
  auto envelope = trust::parseEnvelope(bytes);
  if (!envelope.isOk()) {
    return Status(ErrorCode::kDatabase,
                  "stored signed metadata is unreadable: " + envelope.status().message());
  }
  return envelope;
}

}  // namespace

// The state of one issue() call.
struct ContentIssuer::Pass {
  WriteTxn& txn;
  std::string agent_id;
  std::string terminal_id;
  ResolvedPolicy resolved;
  IssuedContentRow row;
  int64_t now_ms = 0;
  bool policy_changed = false;
  bool targets_changed = false;
  bool timestamp_changed = false;
  std::optional<SignatureBundleRow> bundle;  // the latest published signature bundle
};

ContentIssuer::ContentIssuer(IssuerOptions options, const CollectorKeys* keys,
                             ArtifactStore& artifacts, const Clock& clock)
    : options_(std::move(options)), keys_(keys), artifacts_(artifacts), clock_(clock) {}

Result<AgentContent> ContentIssuer::issue(WriteTxn& txn, const std::string& agent_id,
                                          const std::string& terminal_id,
                                          uint64_t agent_root_version) const {
  XIAOAN_ASSIGN_OR_RETURN(auto layers, txn.terminalPolicyLayers(terminal_id));
  if (!layers) return Status(ErrorCode::kNotFound, "terminal " + terminal_id + " not found");
  Pass pass{txn, agent_id, terminal_id, {}, {}, nowMs(clock_), false, false, false, {}};
  XIAOAN_ASSIGN_OR_RETURN(pass.resolved, resolvePolicy(options_.defaults, *layers));
  // Layers are validated when stored; this guards against stored data from elsewhere, so that
  // no agent is ever sent a policy it must reject.
  auto issues = policy::validatePolicy(pass.resolved.policy);
  if (!issues.empty()) {
    return Status(ErrorCode::kPolicyInvalid, "merged policy of terminal " + terminal_id +
                                                 " is invalid: " + policy::summarizeIssues(issues));
  }
  AgentContent out;
  out.checkin_interval_seconds = pass.resolved.policy.agent().checkin_interval_seconds();
  if (keys_ == nullptr) return out;
  XIAOAN_ASSIGN_OR_RETURN(auto existing, txn.findIssuedContent(agent_id));
  if (existing) pass.row = std::move(*existing);
  pass.row.agent_id = agent_id;
  XIAOAN_ASSIGN_OR_RETURN(pass.bundle, txn.latestSignatureBundle());
  XIAOAN_RETURN_IF_ERROR(issuePolicy(pass));
  XIAOAN_RETURN_IF_ERROR(issueTargets(pass));
  XIAOAN_RETURN_IF_ERROR(issueTimestamp(pass));
  if (pass.timestamp_changed) {
    pass.row.updated_at_ms = pass.now_ms;
    XIAOAN_RETURN_IF_ERROR(txn.putIssuedContent(pass.row));
  }
  XIAOAN_ASSIGN_OR_RETURN(out.artifacts, storedArtifacts(pass));
  out.policy_version = pass.row.policy_version;
  XIAOAN_ASSIGN_OR_RETURN(out.trust, trustUpdate(pass.row, agent_root_version));
  return out;
}

AgentContent ContentIssuer::issueForCheckin(WriteTxn& txn, const std::string& agent_id,
                                            const std::string& terminal_id,
                                            uint64_t agent_root_version) const {
  auto content = issue(txn, agent_id, terminal_id, agent_root_version);
  if (content.isOk()) return std::move(*content);
  int64_t now = nowMs(clock_);
  int64_t last = last_failure_log_ms_.load();
  if (now - last >= 60'000 && last_failure_log_ms_.compare_exchange_strong(last, now)) {
    componentLogger(LogComponent::kCollectorContent)
        ->error("cannot issue signed content to agent {}: {}", agent_id,
                content.status().toString());
  }
  AgentContent fallback;
  fallback.checkin_interval_seconds = options_.defaults.agent().checkin_interval_seconds();
  return fallback;
}

// A new policy version only when the policy's identity (agent, terminal, merged policy: not
// the version, issue time or layer revisions) differs from the one last issued.
Status ContentIssuer::issuePolicy(Pass& pass) const {
  v1::PolicyDocument doc;
  doc.set_agent_id(pass.agent_id);
  doc.set_terminal_id(pass.terminal_id);
  *doc.mutable_policy() = pass.resolved.policy;
  std::string hash = crypto::sha256(trust::serializeDeterministic(doc));
  if (pass.row.policy_version != 0 && pass.row.policy_hash == hash) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(uint64_t version, pass.txn.nextContentVersion());
  doc.set_version(version);
  *doc.mutable_issued_at() = TimeUtil::MillisecondsToTimestamp(pass.now_ms);
  for (const auto& source : pass.resolved.sources) *doc.add_sources() = source;
  pass.row.policy_version = version;
  pass.row.policy_hash = std::move(hash);
  pass.row.policy_document = trust::serializeDeterministic(doc);
  pass.policy_changed = true;
  return Status::ok();
}

Status ContentIssuer::issueTargets(Pass& pass) const {
  const auto& r = pass.row;
  uint64_t latest_bundle = pass.bundle ? pass.bundle->version : 0;
  bool due = pass.policy_changed || r.targets_version == 0 ||
             r.signatures_version != latest_bundle ||
             dueForRenewal(r.targets_expires_ms, pass.now_ms, options_.targets_ttl) ||
             !signedBy(r.targets_envelope, keys_->content);
  if (!due) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(uint64_t version, pass.txn.nextContentVersion());
  const std::string& doc = r.policy_document;
  v1::TargetsMetadata targets;
  targets.set_role(v1::ROLE_CONTENT);
  targets.set_version(version);
  *targets.mutable_issued_at() = TimeUtil::MillisecondsToTimestamp(pass.now_ms);
  int64_t expires = pass.now_ms + ttlMs(options_.targets_ttl);
  *targets.mutable_expires() = TimeUtil::MillisecondsToTimestamp(expires);
  targets.set_agent_id(pass.agent_id);
  auto* artifact = targets.add_artifacts();
  artifact->set_kind(v1::ARTIFACT_KIND_POLICY);
  artifact->set_name("policy");
  artifact->set_version(r.policy_version);
  artifact->set_length(doc.size());
  artifact->set_sha256(crypto::sha256(doc));
  if (pass.bundle) XIAOAN_RETURN_IF_ERROR(addSignatures(*pass.bundle, targets));
  pass.row.signatures_version = pass.bundle ? pass.bundle->version : 0;
  XIAOAN_ASSIGN_OR_RETURN(pass.row.targets_envelope,
                          signAs(v1::ROLE_CONTENT, targets, keys_->content));
  pass.row.targets_version = version;
  pass.row.targets_expires_ms = expires;
  pass.targets_changed = true;
  return Status::ok();
}

// The latest signature bundle, next to the policy, in every agent's targets.
Status ContentIssuer::addSignatures(const SignatureBundleRow& bundle,
                                    v1::TargetsMetadata& targets) {
  XIAOAN_ASSIGN_OR_RETURN(std::string sha, hexDecode(bundle.sha256_hex));
  if (sha.size() != 32) return Status(ErrorCode::kDatabase, "stored bundle hash is not SHA-256");
  auto* artifact = targets.add_artifacts();
  artifact->set_kind(v1::ARTIFACT_KIND_SIGNATURES);
  artifact->set_name(kSignaturesArtifactName);
  artifact->set_version(bundle.version);
  artifact->set_length(bundle.size);
  artifact->set_sha256(std::move(sha));
  return Status::ok();
}

// The raw SHA-256 of every artifact the targets name, each checked to be in the artifact store
// also when nothing changed: the file may have been lost (e.g. a restored data dir). The policy
// document is in the row; a bundle's bytes are read from the database only when its file is
// missing.
Result<std::vector<std::string>> ContentIssuer::storedArtifacts(Pass& pass) const {
  std::vector<std::string> out;
  XIAOAN_ASSIGN_OR_RETURN(std::string policy_sha, artifacts_.put(pass.row.policy_document));
  out.push_back(std::move(policy_sha));
  if (!pass.bundle) return out;
  const SignatureBundleRow& b = *pass.bundle;
  XIAOAN_ASSIGN_OR_RETURN(std::string sha, hexDecode(b.sha256_hex));
  if (artifacts_.sizeOf(b.sha256_hex) != b.size) {
    componentLogger(LogComponent::kCollectorContent)
        ->warn("artifact of signature bundle {} is missing; restoring it from the database",
               b.version);
    XIAOAN_ASSIGN_OR_RETURN(std::string data, pass.txn.signatureBundleData(b.version));
    XIAOAN_ASSIGN_OR_RETURN(std::string stored, artifacts_.put(data));
    if (stored != sha) {
      return Status(ErrorCode::kDatabase, "stored signature bundle " + std::to_string(b.version) +
                                              " does not match its hash");
    }
  }
  out.push_back(std::move(sha));
  return out;
}

Status ContentIssuer::issueTimestamp(Pass& pass) const {
  const auto& r = pass.row;
  bool due = pass.targets_changed || r.timestamp_version == 0 ||
             dueForRenewal(r.timestamp_expires_ms, pass.now_ms, options_.timestamp_ttl) ||
             !signedBy(r.timestamp_envelope, keys_->timestamp);
  if (!due) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(v1::SignedEnvelope targets, storedEnvelope(r.targets_envelope));
  XIAOAN_ASSIGN_OR_RETURN(uint64_t version, pass.txn.nextContentVersion());
  v1::TimestampMetadata ts;
  ts.set_version(version);
  *ts.mutable_issued_at() = TimeUtil::MillisecondsToTimestamp(pass.now_ms);
  int64_t expires = pass.now_ms + ttlMs(options_.timestamp_ttl);
  *ts.mutable_expires() = TimeUtil::MillisecondsToTimestamp(expires);
  ts.set_agent_id(pass.agent_id);
  *ts.add_targets() = trust::metaRefOf(v1::ROLE_CONTENT, r.targets_version, targets.payload());
  XIAOAN_ASSIGN_OR_RETURN(pass.row.timestamp_envelope,
                          signAs(v1::ROLE_TIMESTAMP, ts, keys_->timestamp));
  pass.row.timestamp_version = version;
  pass.row.timestamp_expires_ms = expires;
  pass.timestamp_changed = true;
  return Status::ok();
}

Result<v1::TrustUpdate> ContentIssuer::trustUpdate(const IssuedContentRow& row,
                                                   uint64_t agent_root) const {
  v1::TrustUpdate update;
  const auto& roots = keys_->roots;
  for (uint64_t v = agent_root + 1;
       v <= roots.size() && static_cast<size_t>(update.roots_size()) < trust::kMaxRootsPerUpdate;
       ++v) {
    *update.add_roots() = roots[v - 1];
  }
  XIAOAN_ASSIGN_OR_RETURN(*update.mutable_timestamp(), storedEnvelope(row.timestamp_envelope));
  XIAOAN_ASSIGN_OR_RETURN(*update.mutable_content_targets(), storedEnvelope(row.targets_envelope));
  return update;
}

}  // namespace xiaoan::collector
