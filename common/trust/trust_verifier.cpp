#include "common/trust/trust_verifier.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <set>

#include "common/proto_time.h"
#include "common/trust/metadata.h"

namespace xiaoan::trust {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

bool isSet(const Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

std::string describe(v1::Role role, uint64_t version) {
  return std::string(roleName(role)) + " v" + std::to_string(version);
}

// State of one update in progress; every check reads and writes through it.
struct Verification {
  const UpdateOptions& options;
  TimePoint now;  // time floor when the update started
  v1::TrustState state;
  v1::RootMetadata root;
  UpdateOutcome& outcome;

  Status checkExpiry(const Timestamp& expires, const std::string& what) {
    if (!isSet(expires)) return Status(ErrorCode::kMetaInvalid, what + " has no expiry");
    if (fromTimestamp(expires) > now) return Status::ok();
    const std::string line = what + " expired at " + TimeUtil::ToString(expires);
    if (options.offline) {
      outcome.waived.push_back(line);
      return Status::ok();
    }
    return Status(ErrorCode::kMetaExpired, line);
  }

  void raiseFloor(const Timestamp& issued_at) {
    if (TimeUtil::TimestampToNanoseconds(issued_at) >
        TimeUtil::TimestampToNanoseconds(state.time_floor())) {
      *state.mutable_time_floor() = issued_at;
    }
  }
};

bool sameRoleKeys(const v1::RootMetadata& a, const v1::RootMetadata& b, v1::Role role) {
  const v1::RoleKeys* ra = findRole(a, role);
  const v1::RoleKeys* rb = findRole(b, role);
  if (ra == nullptr || rb == nullptr) return ra == rb;
  std::set<std::string> ka(ra->key_ids().begin(), ra->key_ids().end());
  std::set<std::string> kb(rb->key_ids().begin(), rb->key_ids().end());
  return ka == kb && ra->threshold() == rb->threshold();
}

// One rotation N -> N+1: signed by the threshold of N and by its own threshold.
Status acceptNextRoot(Verification& v, const v1::SignedEnvelope& envelope) {
  const uint64_t from = v.root.version();
  Status old_sig = verifyRole(envelope, v1::ROLE_ROOT, v.root);
  if (!old_sig.isOk()) {
    return Status(ErrorCode::kRootChain, "root v" + std::to_string(from + 1) +
                                             " is not signed by the keys of root v" +
                                             std::to_string(from) + ": " + old_sig.message());
  }
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata next, parseRoot(envelope.payload()));
  Status own_sig = verifyRole(envelope, v1::ROLE_ROOT, next);
  if (!own_sig.isOk()) {
    return Status(ErrorCode::kRootChain,
                  "root v" + std::to_string(next.version()) +
                      " is not signed by its own root keys: " + own_sig.message());
  }
  v.outcome.content_keys_rotated |= !sameRoleKeys(v.root, next, v1::ROLE_CONTENT);
  v.outcome.timestamp_keys_rotated |= !sameRoleKeys(v.root, next, v1::ROLE_TIMESTAMP);
  v.outcome.release_keys_rotated |= !sameRoleKeys(v.root, next, v1::ROLE_RELEASE);
  v.root = std::move(next);
  *v.state.mutable_root() = envelope;
  v.raiseFloor(v.root.issued_at());
  return Status::ok();
}

Status applyRoots(Verification& v, const v1::TrustUpdate& update) {
  if (static_cast<size_t>(update.roots_size()) > kMaxRootsPerUpdate) {
    return Status(ErrorCode::kMetaInvalid, "update carries too many root versions");
  }
  for (const auto& envelope : update.roots()) {
    // The version is read before the signatures are checked only to skip roots we are past;
    // nothing from an unverified root is trusted.
    v1::RootMetadata peek;
    if (envelope.payload().size() > kMaxEnvelopeBytes ||
        !peek.ParseFromString(envelope.payload())) {
      return Status(ErrorCode::kMetaInvalid, "root metadata does not parse");
    }
    if (peek.version() <= v.root.version()) continue;
    if (peek.version() != v.root.version() + 1) {
      return Status(ErrorCode::kRootChain, "root v" + std::to_string(v.root.version() + 1) +
                                               " is missing before root v" +
                                               std::to_string(peek.version()));
    }
    XIAOAN_RETURN_IF_ERROR(acceptNextRoot(v, envelope));
  }
  // Fast-forward recovery: versions trusted under replaced keys are forgotten.
  if (v.outcome.timestamp_keys_rotated) v.state.clear_timestamp();
  if (v.outcome.content_keys_rotated) v.state.clear_content_targets();
  if (v.outcome.release_keys_rotated) v.state.clear_release_targets();
  return v.checkExpiry(v.root.expires(), describe(v1::ROLE_ROOT, v.root.version()));
}

// The trusted copy an update is compared with. A damaged one fails the update (E_META_INVALID):
// skipping the comparison would let a rollback through.
template <typename T>
Result<T> trustedCopy(Result<T> parsed) {
  if (parsed.isOk()) return parsed;
  return Status(parsed.status().code(), "trusted copy damaged: " + parsed.status().message());
}

// Whether `state` holds targets of `role`. A trusted timestamp always comes with the targets it
// names, so it names ones the state lacks only when a key rotation made them forgotten.
bool holdsTargets(const v1::TrustState& state, v1::Role role) {
  return role == v1::ROLE_CONTENT ? state.has_content_targets() : state.has_release_targets();
}

Status checkTimestampNotOlder(const v1::TimestampMetadata& ts, const v1::SignedEnvelope& envelope,
                              const v1::TrustState& state) {
  if (!state.has_timestamp()) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(v1::TimestampMetadata old,
                          trustedCopy(parseTimestamp(state.timestamp().payload())));
  if (ts.version() < old.version() ||
      (ts.version() == old.version() && envelope.payload() != state.timestamp().payload())) {
    return Status(ErrorCode::kMetaRollback, "timestamp v" + std::to_string(ts.version()) +
                                                " is not newer than trusted v" +
                                                std::to_string(old.version()));
  }
  for (const auto& old_ref : old.targets()) {
    // What the old keys of that role signed is forgotten, and so is the timestamp's pin of it,
    // also when the rotation came in an earlier update than this timestamp.
    if (!holdsTargets(state, old_ref.role())) continue;
    bool kept = false;
    for (const auto& ref : ts.targets()) {
      kept = kept || (ref.role() == old_ref.role() && ref.version() >= old_ref.version());
    }
    if (!kept) {
      return Status(ErrorCode::kMetaRollback,
                    "timestamp v" + std::to_string(ts.version()) + " names older " +
                        std::string(roleName(old_ref.role())) + " targets than v" +
                        std::to_string(old_ref.version()));
    }
  }
  return Status::ok();
}

Result<v1::TimestampMetadata> applyTimestamp(Verification& v, const v1::SignedEnvelope& envelope) {
  XIAOAN_RETURN_IF_ERROR(verifyRole(envelope, v1::ROLE_TIMESTAMP, v.root));
  XIAOAN_ASSIGN_OR_RETURN(v1::TimestampMetadata ts, parseTimestamp(envelope.payload()));
  if (ts.agent_id() != v.options.agent_id) {
    return Status(ErrorCode::kMetaMismatch,
                  "timestamp was issued to agent '" + ts.agent_id() + "', not to this agent");
  }
  XIAOAN_RETURN_IF_ERROR(checkTimestampNotOlder(ts, envelope, v.state));
  XIAOAN_RETURN_IF_ERROR(v.checkExpiry(ts.expires(), describe(v1::ROLE_TIMESTAMP, ts.version())));
  *v.state.mutable_timestamp() = envelope;
  v.raiseFloor(ts.issued_at());
  return ts;
}

bool kindAllowed(v1::Role role, v1::ArtifactKind kind) {
  if (role == v1::ROLE_RELEASE) return kind == v1::ARTIFACT_KIND_AGENT_RELEASE;
  return kind == v1::ARTIFACT_KIND_POLICY || kind == v1::ARTIFACT_KIND_SIGNATURES;
}

Status checkBinding(const Verification& v, const v1::TargetsMetadata& t, v1::Role role) {
  const std::string what = describe(role, t.version());
  if (t.role() != role) {
    return Status(ErrorCode::kMetaMismatch,
                  what + " declares role " + std::string(roleName(t.role())));
  }
  const std::string& expected = role == v1::ROLE_CONTENT ? v.options.agent_id : "";
  if (t.agent_id() != expected) {
    return Status(ErrorCode::kMetaMismatch,
                  what + " was issued to agent '" + t.agent_id() + "', not to this agent");
  }
  for (const auto& a : t.artifacts()) {
    if (!kindAllowed(role, a.kind())) {
      return Status(ErrorCode::kMetaMismatch, what + " names artifact '" + a.name() + "' of kind " +
                                                  v1::ArtifactKind_Name(a.kind()) +
                                                  " that this role may not sign");
    }
  }
  return Status::ok();
}

Status checkTargetsNotOlder(const v1::TargetsMetadata& t, const v1::SignedEnvelope& envelope,
                            const v1::SignedEnvelope* trusted) {
  if (trusted == nullptr) return Status::ok();
  XIAOAN_ASSIGN_OR_RETURN(v1::TargetsMetadata old, trustedCopy(parseTargets(trusted->payload())));
  const std::string what = describe(t.role(), t.version());
  if (t.version() < old.version() ||
      (t.version() == old.version() && envelope.payload() != trusted->payload())) {
    return Status(ErrorCode::kMetaRollback,
                  what + " is not newer than trusted v" + std::to_string(old.version()));
  }
  for (const auto& before : old.artifacts()) {
    for (const auto& now : t.artifacts()) {
      if (now.kind() == before.kind() && now.name() == before.name() &&
          now.version() < before.version()) {
        return Status(ErrorCode::kMetaRollback,
                      what + " names " + now.name() + " v" + std::to_string(now.version()) +
                          ", older than trusted v" + std::to_string(before.version()));
      }
    }
  }
  return Status::ok();
}

// Targets of `role` as named by the timestamp: the supplied envelope, or the trusted one when
// the timestamp still names it.
Status applyTargets(Verification& v, const v1::TimestampMetadata& ts, v1::Role role,
                    const v1::TrustUpdate& update) {
  const bool content = role == v1::ROLE_CONTENT;
  const bool supplied = content ? update.has_content_targets() : update.has_release_targets();
  const v1::SignedEnvelope& given = content ? update.content_targets() : update.release_targets();
  const bool trusted_present =
      content ? v.state.has_content_targets() : v.state.has_release_targets();
  const v1::SignedEnvelope* trusted = !trusted_present ? nullptr
                                      : content        ? &v.state.content_targets()
                                                       : &v.state.release_targets();
  const v1::MetaRef* ref = nullptr;
  for (const auto& r : ts.targets()) {
    if (r.role() == role) ref = &r;
  }
  if (ref == nullptr) {
    if (!supplied) return Status::ok();
    return Status(ErrorCode::kMetaMismatch,
                  std::string(roleName(role)) + " targets supplied but not named by the timestamp");
  }
  if (!supplied && trusted == nullptr) {
    return Status(ErrorCode::kMetaMismatch, "timestamp names " + describe(role, ref->version()) +
                                                " targets that were not supplied");
  }
  const v1::SignedEnvelope envelope = supplied ? given : *trusted;
  if (envelope.payload().size() != ref->length() ||
      crypto::sha256(envelope.payload()) != ref->sha256()) {
    return Status(ErrorCode::kMetaMismatch,
                  describe(role, ref->version()) + " targets do not match the timestamp's hash");
  }
  XIAOAN_RETURN_IF_ERROR(verifyRole(envelope, role, v.root));
  XIAOAN_ASSIGN_OR_RETURN(v1::TargetsMetadata t, parseTargets(envelope.payload()));
  XIAOAN_RETURN_IF_ERROR(checkBinding(v, t, role));
  if (t.version() != ref->version()) {
    return Status(ErrorCode::kMetaMismatch, describe(role, t.version()) +
                                                " but the timestamp names v" +
                                                std::to_string(ref->version()));
  }
  XIAOAN_RETURN_IF_ERROR(checkTargetsNotOlder(t, envelope, trusted));
  XIAOAN_RETURN_IF_ERROR(v.checkExpiry(t.expires(), describe(role, t.version()) + " targets"));
  *(content ? v.state.mutable_content_targets() : v.state.mutable_release_targets()) = envelope;
  v.raiseFloor(t.issued_at());
  return Status::ok();
}

}  // namespace

TimePoint timeFloor(const v1::TrustState& state, TimePoint wall_now) {
  if (!state.has_time_floor()) return wall_now;
  return std::max(wall_now, fromTimestamp(state.time_floor()));
}

Result<v1::TrustState> stateFromPinnedRoot(const v1::SignedEnvelope& root_envelope) {
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata root, parseRoot(root_envelope.payload()));
  XIAOAN_RETURN_IF_ERROR(verifyRole(root_envelope, v1::ROLE_ROOT, root));
  v1::TrustState state;
  *state.mutable_root() = root_envelope;
  *state.mutable_time_floor() = root.issued_at();
  return state;
}

Result<UpdateOutcome> applyUpdate(const v1::TrustState& current, const v1::TrustUpdate& update,
                                  const UpdateOptions& options) {
  if (!current.has_root()) {
    return Status(ErrorCode::kTrustRootMissing, "no trusted root metadata");
  }
  UpdateOutcome outcome;
  Verification v{options, timeFloor(current, options.wall_now), current, {}, outcome};
  auto root = parseRoot(current.root().payload());
  if (!root.isOk()) return root.status();
  v.root = std::move(*root);
  outcome.root_version_before = v.root.version();
  XIAOAN_RETURN_IF_ERROR(applyRoots(v, update));
  outcome.root_version_after = v.root.version();
  if (update.has_timestamp()) {
    XIAOAN_ASSIGN_OR_RETURN(v1::TimestampMetadata ts, applyTimestamp(v, update.timestamp()));
    XIAOAN_RETURN_IF_ERROR(applyTargets(v, ts, v1::ROLE_CONTENT, update));
    XIAOAN_RETURN_IF_ERROR(applyTargets(v, ts, v1::ROLE_RELEASE, update));
  } else if (update.has_content_targets() || update.has_release_targets()) {
    return Status(ErrorCode::kMetaMismatch, "targets supplied without a timestamp");
  }
  outcome.changed = serializeDeterministic(v.state) != serializeDeterministic(current);
  outcome.state = std::move(v.state);
  return outcome;
}

Result<TrustSummary> summarize(const v1::TrustState& state, TimePoint wall_now) {
  if (!state.has_root()) return Status(ErrorCode::kTrustRootMissing, "no trusted root metadata");
  TrustSummary s;
  XIAOAN_ASSIGN_OR_RETURN(v1::RootMetadata root, parseRoot(state.root().payload()));
  s.root_version = root.version();
  std::optional<TimePoint> earliest;
  auto consider = [&earliest](const Timestamp& ts) {
    if (!isSet(ts)) return;
    const TimePoint t = fromTimestamp(ts);
    if (!earliest || t < *earliest) earliest = t;
  };
  consider(root.expires());
  if (state.has_timestamp()) {
    XIAOAN_ASSIGN_OR_RETURN(v1::TimestampMetadata ts, parseTimestamp(state.timestamp().payload()));
    s.timestamp_version = ts.version();
    consider(ts.expires());
  }
  for (v1::Role role : {v1::ROLE_CONTENT, v1::ROLE_RELEASE}) {
    const bool content = role == v1::ROLE_CONTENT;
    if (!(content ? state.has_content_targets() : state.has_release_targets())) continue;
    const auto& envelope = content ? state.content_targets() : state.release_targets();
    XIAOAN_ASSIGN_OR_RETURN(v1::TargetsMetadata t, parseTargets(envelope.payload()));
    (content ? s.content_targets_version : s.release_targets_version) = t.version();
    consider(t.expires());
    for (const auto& a : t.artifacts()) consider(a.expires());
    (content ? s.content : s.release) = std::move(t);
  }
  s.time_floor = timeFloor(state, wall_now);
  s.expires = earliest;
  s.stale = earliest && *earliest <= s.time_floor;
  return s;
}

}  // namespace xiaoan::trust
