#include "tests/integration/tools/forge_ops.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <sstream>

#include "common/crypto/ed25519.h"
#include "common/trust/key_set.h"
#include "common/trust/metadata.h"
#include "platform/file_util.h"
#include "xiaoan/v1/policy.pb.h"

namespace xiaoan::forge {
namespace {

using google::protobuf::util::TimeUtil;

Status bad(const std::string& message) { return Status(ErrorCode::kInvalidArgument, message); }

std::optional<v1::Role> roleFromName(const std::string& name) {
  for (v1::Role r : {v1::ROLE_ROOT, v1::ROLE_RELEASE, v1::ROLE_CONTENT, v1::ROLE_TIMESTAMP}) {
    if (trust::roleName(r) == name) return r;
  }
  return std::nullopt;
}

Status sign(v1::SignedEnvelope& envelope, v1::Role role, const crypto::SigningKey& key) {
  envelope.clear_signatures();
  return trust::addSignature(envelope, role, key);
}

Result<std::string> policyBytes(const ReissueOptions& o, const v1::TargetsMetadata& targets,
                                uint64_t version) {
  if (!o.policy_raw_file.empty()) return readFile(o.policy_raw_file, 16 << 20);
  XIAOAN_ASSIGN_OR_RETURN(std::string json, readFile(o.policy_json_file, 1 << 20));
  v1::PolicyDocument doc;
  auto st = google::protobuf::util::JsonStringToMessage(json, doc.mutable_policy());
  if (!st.ok()) return bad("policy JSON: " + std::string(st.message()));
  doc.set_version(version);
  doc.set_agent_id(targets.agent_id());
  doc.set_terminal_id(o.terminal_id);
  *doc.mutable_issued_at() = TimeUtil::GetCurrentTime();
  return trust::serializeDeterministic(doc);
}

Status storeArtifact(const ArtifactSink& sink, const std::string& bytes) {
  const std::string hash = crypto::sha256(bytes);
  if (!sink.dir.empty()) {
    XIAOAN_RETURN_IF_ERROR(makeDirs(sink.dir));
    XIAOAN_RETURN_IF_ERROR(atomicWriteFile(sink.dir + "/" + toHex(hash), bytes, 0644));
  }
  if (sink.bundle != nullptr) {
    auto* a = sink.bundle->Add();
    a->set_sha256(hash);
    a->set_data(bytes);
  }
  return Status::ok();
}

v1::Artifact* policyArtifact(v1::TargetsMetadata& targets) {
  for (auto& a : *targets.mutable_artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_POLICY && a.name() == "policy") return &a;
  }
  auto* a = targets.add_artifacts();
  a->set_kind(v1::ARTIFACT_KIND_POLICY);
  a->set_name("policy");
  return a;
}

Status replacePolicy(v1::TargetsMetadata& targets, const ReissueOptions& o) {
  v1::Artifact* artifact = policyArtifact(targets);
  const uint64_t version = o.policy_version != 0 ? o.policy_version : artifact->version() + 1;
  XIAOAN_ASSIGN_OR_RETURN(std::string bytes, policyBytes(o, targets, version));
  artifact->set_version(version);
  artifact->set_length(bytes.size());
  artifact->set_sha256(crypto::sha256(bytes));
  return storeArtifact(o.sink, bytes);
}

template <typename Metadata>
void stamp(Metadata& m, const std::optional<int64_t>& expires_in) {
  *m.mutable_issued_at() = TimeUtil::GetCurrentTime();
  if (expires_in) {
    *m.mutable_expires() = TimeUtil::GetCurrentTime() + TimeUtil::SecondsToDuration(*expires_in);
  }
}

Status pointTimestampAt(v1::TimestampMetadata& ts, const v1::TargetsMetadata& targets,
                        const std::string& payload) {
  v1::MetaRef ref = trust::metaRefOf(v1::ROLE_CONTENT, targets.version(), payload);
  for (auto& existing : *ts.mutable_targets()) {
    if (existing.role() == v1::ROLE_CONTENT) {
      existing = ref;
      return Status::ok();
    }
  }
  *ts.add_targets() = ref;
  return Status::ok();
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

std::string seconds(const google::protobuf::Timestamp& t) { return std::to_string(t.seconds()); }

void describeTargets(std::ostringstream& o, const v1::TargetsMetadata& t) {
  o << "{\"version\":" << t.version() << ",\"agent_id\":\"" << escape(t.agent_id())
    << "\",\"expires\":" << seconds(t.expires()) << ",\"artifacts\":[";
  for (int i = 0; i < t.artifacts_size(); ++i) {
    const auto& a = t.artifacts(i);
    o << (i ? "," : "") << "{\"kind\":\"" << v1::ArtifactKind_Name(a.kind()) << "\",\"name\":\""
      << escape(a.name()) << "\",\"version\":" << a.version() << ",\"length\":" << a.length()
      << ",\"sha256\":\"" << toHex(a.sha256()) << "\"}";
  }
  o << "]}";
}

}  // namespace

Status resign(v1::TrustUpdate& update, const std::string& part, const std::string& key_file,
              const std::string& sign_role) {
  XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::load(key_file));
  auto role = roleFromName(sign_role.empty() ? part : sign_role);
  if (!role) return bad("unknown role " + sign_role);
  if (part == "content") return sign(*update.mutable_content_targets(), *role, key);
  if (part == "timestamp") return sign(*update.mutable_timestamp(), *role, key);
  if (part == "root" && update.roots_size() > 0) {
    return sign(*update.mutable_roots(update.roots_size() - 1), *role, key);
  }
  return bad("nothing to re-sign for part " + part);
}

Status reissue(v1::TrustUpdate& update, const ReissueOptions& o) {
  XIAOAN_ASSIGN_OR_RETURN(auto content_key, crypto::SigningKey::load(o.content_key));
  XIAOAN_ASSIGN_OR_RETURN(auto timestamp_key, crypto::SigningKey::load(o.timestamp_key));
  v1::TargetsMetadata targets;
  v1::TimestampMetadata ts;
  if (!targets.ParseFromString(update.content_targets().payload()) ||
      !ts.ParseFromString(update.timestamp().payload())) {
    return bad("the update's timestamp or content targets do not parse");
  }
  targets.set_version(o.targets_version.value_or(targets.version() + 1));
  if (!o.policy_json_file.empty() || !o.policy_raw_file.empty()) {
    XIAOAN_RETURN_IF_ERROR(replacePolicy(targets, o));
  }
  stamp(targets, o.expires_in_seconds);
  const std::string payload = trust::serializeDeterministic(targets);
  update.mutable_content_targets()->set_payload(payload);
  XIAOAN_RETURN_IF_ERROR(sign(*update.mutable_content_targets(), v1::ROLE_CONTENT, content_key));
  ts.set_version(o.timestamp_version.value_or(ts.version() + 1));
  stamp(ts, o.expires_in_seconds);
  XIAOAN_RETURN_IF_ERROR(pointTimestampAt(ts, targets, payload));
  update.mutable_timestamp()->set_payload(trust::serializeDeterministic(ts));
  return sign(*update.mutable_timestamp(), v1::ROLE_TIMESTAMP, timestamp_key);
}

void dropRoots(v1::TrustUpdate& update, const std::vector<uint64_t>& versions) {
  google::protobuf::RepeatedPtrField<v1::SignedEnvelope> kept;
  for (const auto& env : update.roots()) {
    v1::RootMetadata root;
    const bool parsed = root.ParseFromString(env.payload());
    const bool drop = versions.empty() || (parsed && std::find(versions.begin(), versions.end(),
                                                               root.version()) != versions.end());
    if (!drop) *kept.Add() = env;
  }
  update.mutable_roots()->Swap(&kept);
}

void keepRoot(v1::TrustUpdate& update, uint64_t version) {
  google::protobuf::RepeatedPtrField<v1::SignedEnvelope> kept;
  for (const auto& env : update.roots()) {
    v1::RootMetadata root;
    if (root.ParseFromString(env.payload()) && root.version() == version) *kept.Add() = env;
  }
  update.mutable_roots()->Swap(&kept);
}

void splice(v1::TrustUpdate& update, const v1::TrustUpdate& other) {
  *update.mutable_content_targets() = other.content_targets();
}

std::string describe(const v1::TrustUpdate& update) {
  std::ostringstream o;
  o << "{\"roots\":[";
  for (int i = 0; i < update.roots_size(); ++i) {
    v1::RootMetadata root;
    (void)root.ParseFromString(update.roots(i).payload());
    o << (i ? "," : "") << root.version();
  }
  v1::TimestampMetadata ts;
  (void)ts.ParseFromString(update.timestamp().payload());
  o << "],\"timestamp\":{\"version\":" << ts.version() << ",\"agent_id\":\""
    << escape(ts.agent_id()) << "\",\"expires\":" << seconds(ts.expires()) << "},\"content\":";
  v1::TargetsMetadata targets;
  (void)targets.ParseFromString(update.content_targets().payload());
  describeTargets(o, targets);
  o << "}";
  return o.str();
}

Status generateKey(const std::string& path) {
  XIAOAN_ASSIGN_OR_RETURN(auto key, crypto::SigningKey::generate());
  return trust::writeKeyFile(path, key);
}

}  // namespace xiaoan::forge
