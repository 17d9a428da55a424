#pragma once

// Signed content for agent/content tests: policy documents, the artifacts naming them and
// updates whose content targets name a real policy (on top of tests/support/trust_fixture.h).

#include <map>
#include <string>
#include <vector>

#include "agent/content/content_manager.h"
#include "agent/content/offline_bundle.h"
#include "common/crypto/ed25519.h"
#include "common/policy/policy_rules.h"
#include "tests/support/trust_fixture.h"
#include "xiaoan/v1/policy.pb.h"
#include "xiaoan/v1/trust.pb.h"

namespace xiaoan::agent::content::testing {

using xiaoan::testing::TrustFixture;

// A serialized PolicyDocument of `version` for `agent_id`; interval 5 s makes it invalid.
inline std::string policyBytes(uint64_t version, const std::string& agent_id,
                               uint32_t checkin_interval_seconds = 120) {
  v1::PolicyDocument doc;
  doc.set_version(version);
  doc.set_agent_id(agent_id);
  doc.set_terminal_id("t-lab1-07");
  doc.mutable_issued_at()->set_seconds(1'800'000'000 - 600);
  *doc.mutable_policy() = policy::builtinDefaults();
  doc.mutable_policy()->mutable_agent()->set_checkin_interval_seconds(checkin_interval_seconds);
  return doc.SerializeAsString();
}

// The POLICY "policy" artifact naming `bytes`.
inline v1::Artifact policyArtifact(const std::string& bytes, uint64_t version) {
  v1::Artifact a;
  a.set_kind(v1::ARTIFACT_KIND_POLICY);
  a.set_name("policy");
  a.set_version(version);
  a.set_length(bytes.size());
  a.set_sha256(crypto::sha256(bytes));
  return a;
}

// A valid update: timestamp v`ts_version` -> content targets v`targets_version` naming
// `policy` as policy version `policy_version`.
inline v1::TrustUpdate policyUpdate(const TrustFixture& f, uint64_t ts_version,
                                    uint64_t targets_version, uint64_t policy_version,
                                    const std::string& policy) {
  v1::TrustUpdate u;
  *u.mutable_content_targets() = TrustFixture::sign(
      v1::ROLE_CONTENT, f.contentTargets(targets_version, policy_version, policy), {&f.content});
  f.resignTimestamp(u, ts_version, targets_version);
  return u;
}

// The collector's artifact endpoint, reduced to what it serves: bytes by SHA-256.
class ServedArtifacts final : public ArtifactFetcher {
 public:
  Status fetch(const v1::Artifact& artifact, ArtifactStore& store) override {
    ++fetches;
    return BundleArtifacts(served).fetch(artifact, store);
  }
  void serve(const std::string& sha256, const std::string& bytes) {
    auto* a = served.add_artifacts();
    a->set_sha256(sha256);
    a->set_data(bytes);
  }
  v1::OfflineBundle served;
  int fetches = 0;
};

// What a ContentManager told the rest of the agent (pass it as reporter and consumer). An
// agent without a scanner unless a test overrides the signature methods.
struct RecordedContent : ContentReporter, ContentConsumer {
  std::vector<uint32_t> intervals;  // check-in interval of every policy put into effect
  std::vector<v1::ContentUpdateEvent> events;
  std::map<std::string, Status> conditions;
  v1::ContentStatus status;
  uint64_t policy_version = 0;

  void reportEvent(v1::ContentUpdateEvent e) override { events.push_back(std::move(e)); }
  void setCondition(const std::string& key, const Status& st) override {
    if (st.isOk()) conditions.erase(key);
    if (!st.isOk()) conditions[key] = st;
  }
  void reportStatus(const v1::ContentStatus& s, uint64_t v) override {
    status = s;
    policy_version = v;
  }
  void runPolicy(const v1::Policy& p) override {
    intervals.push_back(p.agent().checkin_interval_seconds());
  }
  bool runsSignatures() const override { return false; }
  Status loadSignatures(std::string_view, const v1::Artifact&) override {
    return Status(ErrorCode::kUnsupported, "no scanner");
  }
  RunningArtifact runningSignatures() const override { return {}; }
  ErrorCode condition(const std::string& key) const {
    auto it = conditions.find(key);
    return it == conditions.end() ? ErrorCode::kOk : it->second.code();
  }
};

}  // namespace xiaoan::agent::content::testing
