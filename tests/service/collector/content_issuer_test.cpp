// The collector's issuing of signed content per agent, on a real SQLite file, checked with the
// agent's own verifier (trust::applyUpdate).
#include "service/collector/trust/content_issuer.h"

#include <doctest/doctest.h>

#include "common/policy/policy_rules.h"
#include "common/trust/trust_verifier.h"
#include "platform/file_util.h"
#include "service/collector/trust/signature_publisher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/service/collector/support/store_fixture.h"
#include "tests/support/trust_fixture.h"

namespace xiaoan::collector {
namespace {

using testing::StoreFixture;
using xiaoan::testing::FakeClock;
using xiaoan::testing::TrustFixture;

constexpr std::chrono::hours kDay{24};

CollectorKeys keysOf(const TrustFixture& t, size_t roots) {
  CollectorKeys k{{},
                  std::move(*crypto::SigningKey::fromPem(*t.content.privatePem())),
                  std::move(*crypto::SigningKey::fromPem(*t.timestamp.privatePem()))};
  for (size_t v = 1; v <= roots; ++v) k.roots.push_back(t.signedRoot(v));
  return k;
}

struct IssuerFixture {
  StoreFixture db;
  FakeClock clock;
  TrustFixture trust;
  CollectorKeys keys = keysOf(trust, 2);
  ArtifactStore artifacts{db.dir.path()};
  std::unique_ptr<ContentIssuer> issuer = makeIssuer(&keys);
  std::string t1, t2, t3;  // t1, t2 in school s1; t3 in s2

  IssuerFixture() {
    db.addSchool("s1");
    db.addSchool("s2");
    db.addToken("tok1", "s1");
    db.addToken("tok2", "s2");
    t1 = db.enroll(db.params("tok1", "agent-1", {"02:00:00:00:00:01"}))->terminal_id;
    t2 = db.enroll(db.params("tok1", "agent-2", {"02:00:00:00:00:02"}))->terminal_id;
    t3 = db.enroll(db.params("tok2", "agent-3", {"02:00:00:00:00:03"}))->terminal_id;
  }

  std::unique_ptr<ContentIssuer> makeIssuer(const CollectorKeys* k) {
    IssuerOptions o;
    o.defaults = collectorDefaults(60);
    return std::make_unique<ContentIssuer>(o, k, artifacts, clock);
  }

  AgentContent issue(const std::string& agent, const std::string& terminal, uint64_t root = 0) {
    auto txn = db.store->beginWrite();
    REQUIRE(txn.isOk());
    auto out = issuer->issue(**txn, agent, terminal, root);
    REQUIRE_MESSAGE(out.isOk(), out.status().toString());
    REQUIRE((*txn)->commit().isOk());
    return std::move(*out);
  }

  void setSchoolInterval(const std::string& school, uint32_t seconds) {
    v1::Policy p;
    p.mutable_agent()->set_checkin_interval_seconds(seconds);
    PolicyLayerRow row{"school", school, p.SerializeAsString(), 0, 0, "admin"};
    REQUIRE(db.store->putPolicyLayer(row, {0, "admin", "policy.put", school, "{}"}).isOk());
  }
};

struct Versions {
  uint64_t policy, targets, timestamp;
  bool operator==(const Versions&) const = default;
};

Versions versionsOf(const AgentContent& c) {
  auto ts = trust::parseTimestamp(c.trust->timestamp().payload());
  auto targets = trust::parseTargets(c.trust->content_targets().payload());
  REQUIRE(ts.isOk());
  REQUIRE(targets.isOk());
  return {c.policy_version, targets->version(), ts->version()};
}

// The agent's verifier accepts the update; returns the new state.
v1::TrustState accept(const v1::TrustState& state, const AgentContent& c, const std::string& agent,
                      std::chrono::system_clock::time_point now) {
  auto outcome = trust::applyUpdate(state, *c.trust, {agent, now, false});
  REQUIRE_MESSAGE(outcome.isOk(), outcome.status().toString());
  return outcome->state;
}

TEST_CASE("without keys only the check-in interval is resolved; nothing is issued") {
  IssuerFixture f;
  f.issuer = f.makeIssuer(nullptr);
  f.setSchoolInterval("s1", 300);
  AgentContent c = f.issue("agent-1", f.t1);
  CHECK(c.checkin_interval_seconds == 300);
  CHECK(c.policy_version == 0);
  CHECK_FALSE(c.trust.has_value());
  CHECK(f.issue("agent-3", f.t3).checkin_interval_seconds == 60);  // the collector default
  auto txn = f.db.store->beginWrite();
  REQUIRE(txn.isOk());
  CHECK(*(*txn)->nextContentVersion() == 1);  // no version was taken
  CHECK_FALSE((*(*txn)->findIssuedContent("agent-1")).has_value());
}

TEST_CASE("first issue: the agent's verifier accepts it and the artifact is its policy") {
  IssuerFixture f;
  f.setSchoolInterval("s1", 300);
  AgentContent c = f.issue("agent-1", f.t1);
  CHECK(c.checkin_interval_seconds == 300);
  REQUIRE(c.trust.has_value());
  CHECK(c.trust->roots_size() == 2);  // an agent without root gets the whole chain
  CHECK(f.issue("agent-1", f.t1, 1).trust->roots_size() == 1);
  CHECK(f.issue("agent-1", f.t1, 2).trust->roots_size() == 0);
  v1::TrustState state =
      accept(*trust::stateFromPinnedRoot(f.trust.signedRoot(1)), c, "agent-1", f.clock.now());
  CHECK(state.has_content_targets());
  REQUIRE(c.artifacts.size() == 1);
  auto bytes = f.artifacts.read(toHex(c.artifacts[0]), policy::kMaxPolicyDocumentBytes);
  REQUIRE(bytes.isOk());
  auto targets = trust::parseTargets(c.trust->content_targets().payload());
  REQUIRE(targets.isOk());
  CHECK(targets->artifacts(0).sha256() == crypto::sha256(*bytes));
  CHECK(targets->artifacts(0).version() == c.policy_version);
  auto doc = policy::parsePolicyDocument(*bytes, "agent-1");
  REQUIRE_MESSAGE(doc.isOk(), doc.status().toString());
  CHECK(doc->version() == c.policy_version);
  CHECK(doc->terminal_id() == f.t1);
  CHECK(doc->policy().agent().checkin_interval_seconds() == 300);
  REQUIRE(doc->sources_size() == 1);
  CHECK(doc->sources(0).id() == "s1");
  // Another agent cannot use it.
  CHECK_FALSE(trust::applyUpdate(*trust::stateFromPinnedRoot(f.trust.signedRoot(1)), *c.trust,
                                 {"agent-2", f.clock.now(), false})
                  .isOk());
}

TEST_CASE("unchanged policy: same versions and bytes, also after a reopen") {
  IssuerFixture f;
  AgentContent first = f.issue("agent-1", f.t1);
  AgentContent again = f.issue("agent-1", f.t1);
  CHECK(versionsOf(again) == versionsOf(first));
  CHECK(again.trust->timestamp().SerializeAsString() ==
        first.trust->timestamp().SerializeAsString());
  f.db.store.reset();
  f.db.store = f.db.open();
  f.issuer = f.makeIssuer(&f.keys);
  AgentContent reopened = f.issue("agent-1", f.t1);
  CHECK(versionsOf(reopened) == versionsOf(first));
  // Re-setting a layer to the same values changes nothing either.
  f.setSchoolInterval("s1", 60);
  CHECK(versionsOf(f.issue("agent-1", f.t1)) == versionsOf(first));
}

TEST_CASE("a changed school policy: new versions for that school's agents only, never lower") {
  IssuerFixture f;
  Versions a1 = versionsOf(f.issue("agent-1", f.t1));
  Versions a2 = versionsOf(f.issue("agent-2", f.t2));
  Versions a3 = versionsOf(f.issue("agent-3", f.t3));
  f.db.store.reset();  // across a restart
  f.db.store = f.db.open();
  f.issuer = f.makeIssuer(&f.keys);
  f.setSchoolInterval("s1", 600);
  AgentContent c1 = f.issue("agent-1", f.t1);
  Versions b1 = versionsOf(c1);
  Versions b2 = versionsOf(f.issue("agent-2", f.t2));
  CHECK(c1.checkin_interval_seconds == 600);
  CHECK(b1.policy > std::max({a1.timestamp, a2.timestamp, a3.timestamp}));
  CHECK(b1.targets > b1.policy);
  CHECK(b1.timestamp > b1.targets);
  CHECK(b2.policy > a2.policy);
  CHECK(b2.policy != b1.policy);
  CHECK(versionsOf(f.issue("agent-3", f.t3)) == a3);
}

TEST_CASE("a room or terminal layer changes only the agents it applies to") {
  IssuerFixture f;
  Versions a1 = versionsOf(f.issue("agent-1", f.t1));
  Versions a2 = versionsOf(f.issue("agent-2", f.t2));
  REQUIRE(
      f.db.store->setTerminalRoom(f.t2, "lab1", {0, "admin", "terminal.room", f.t2, "{}"}).isOk());
  CHECK(versionsOf(f.issue("agent-2", f.t2)) == a2);  // no room layer yet: same policy
  v1::Policy room;
  room.mutable_scan()->set_cpu_percent(10);
  PolicyLayerRow row{"room", "s1/lab1", room.SerializeAsString(), 0, 0, "admin"};
  REQUIRE(f.db.store->putPolicyLayer(row, {0, "admin", "policy.put", "r", "{}"}).isOk());
  CHECK(versionsOf(f.issue("agent-2", f.t2)).policy > a2.policy);
  CHECK(versionsOf(f.issue("agent-1", f.t1)) == a1);
}

TEST_CASE("renewal: timestamp at half its lifetime, targets at half theirs, policy never") {
  IssuerFixture f;
  auto state = *trust::stateFromPinnedRoot(f.trust.signedRoot(1));
  AgentContent c0 = f.issue("agent-1", f.t1);
  state = accept(state, c0, "agent-1", f.clock.now());
  Versions v0 = versionsOf(c0);
  f.clock.advance(kDay * 3);  // < 3.5 days: nothing due
  CHECK(versionsOf(f.issue("agent-1", f.t1)) == v0);
  f.clock.advance(kDay * 1);  // 4 days: timestamp due (7-day lifetime)
  AgentContent c1 = f.issue("agent-1", f.t1);
  Versions v1 = versionsOf(c1);
  CHECK(v1.policy == v0.policy);
  CHECK(v1.targets == v0.targets);
  CHECK(v1.timestamp > v0.timestamp);
  state = accept(state, c1, "agent-1", f.clock.now());
  f.clock.advance(kDay * 12);  // 16 days: targets due (30-day lifetime), and the timestamp
  AgentContent c2 = f.issue("agent-1", f.t1);
  Versions v2 = versionsOf(c2);
  CHECK(v2.policy == v0.policy);
  CHECK(v2.targets > v1.timestamp);
  CHECK(v2.timestamp > v2.targets);
  accept(state, c2, "agent-1", f.clock.now());
}

TEST_CASE("metadata signed by a key that is no longer current is re-signed") {
  IssuerFixture f;
  Versions v0 = versionsOf(f.issue("agent-1", f.t1));
  TrustFixture rotated;
  rotated.root_keys.clear();
  rotated.root_keys.push_back(
      std::move(*crypto::SigningKey::fromPem(*f.trust.root_keys[0].privatePem())));
  rotated.timestamp = std::move(*crypto::SigningKey::fromPem(*f.trust.timestamp.privatePem()));
  CollectorKeys next = keysOf(rotated, 2);  // new content key, same timestamp key
  f.issuer = f.makeIssuer(&next);
  AgentContent c = f.issue("agent-1", f.t1);
  Versions v1 = versionsOf(c);
  CHECK(v1.policy == v0.policy);
  CHECK(v1.targets > v0.timestamp);
  CHECK(v1.timestamp > v1.targets);
  auto state = *trust::stateFromPinnedRoot(rotated.signedRoot(1));
  accept(state, c, "agent-1", f.clock.now());
}

TEST_CASE("a lost artifact file is written again from the stored document") {
  IssuerFixture f;
  AgentContent c = f.issue("agent-1", f.t1);
  const std::string path = f.artifacts.pathOf(toHex(c.artifacts[0]));
  REQUIRE(::unlink(path.c_str()) == 0);
  f.issue("agent-1", f.t1);
  CHECK(f.artifacts.sizeOf(toHex(c.artifacts[0])).has_value());
}

TEST_CASE("a stored layer that breaks the rules is never issued") {
  IssuerFixture f;
  Versions before = versionsOf(f.issue("agent-1", f.t1));
  f.setSchoolInterval("s1", 5);  // bypasses the admin API's validation
  auto txn = f.db.store->beginWrite();
  REQUIRE(txn.isOk());
  auto out = f.issuer->issue(**txn, "agent-1", f.t1, 0);
  REQUIRE_FALSE(out.isOk());
  CHECK(out.status().code() == ErrorCode::kPolicyInvalid);
  CHECK(out.status().message().find("agent.checkin_interval_seconds") != std::string::npos);
  auto issued = (*txn)->findIssuedContent("agent-1");
  REQUIRE(issued.isOk());
  CHECK((*issued)->policy_version == before.policy);
}

TEST_CASE("a check-in never fails on issuing: the default interval and no signed content") {
  IssuerFixture f;
  f.setSchoolInterval("s1", 5);  // bypasses the admin API's validation
  for (int i = 0; i < 2; ++i) {  // the second failure is not logged again (within a minute)
    auto txn = f.db.store->beginWrite();
    REQUIRE(txn.isOk());
    AgentContent c = f.issuer->issueForCheckin(**txn, "agent-1", f.t1, 0);
    CHECK(c.checkin_interval_seconds == 60);
    CHECK(c.policy_version == 0);
    CHECK_FALSE(c.trust.has_value());
  }
  auto txn = f.db.store->beginWrite();
  REQUIRE(txn.isOk());
  CHECK(f.issuer->issueForCheckin(**txn, "agent-3", f.t3, 0).trust.has_value());
}

// Publishes a one-rule bundle as `xiaoan-admin signatures publish` does.
v1::SignatureBundleInfo publishBundle(IssuerFixture& f, const std::string& rule) {
  v1::PublishSignaturesRequest request;
  auto* file = request.add_files();
  file->set_name("rules.yar");
  file->set_content("rule " + rule + " { condition: filesize == 0 }\n");
  auto info = publishSignatures(*f.db.store, f.artifacts, request, "admin", 0, nullptr);
  REQUIRE_MESSAGE(info.isOk(), info.status().toString());
  return *info;
}

// The SIGNATURES artifact the content targets name; nullopt when none.
std::optional<v1::Artifact> signaturesOf(const AgentContent& c) {
  auto targets = trust::parseTargets(c.trust->content_targets().payload());
  REQUIRE(targets.isOk());
  for (const auto& a : targets->artifacts()) {
    if (a.kind() == v1::ARTIFACT_KIND_SIGNATURES) return a;
  }
  return std::nullopt;
}

TEST_CASE("a published bundle joins every agent's targets once; the agent's verifier accepts it") {
  IssuerFixture f;
  auto state = *trust::stateFromPinnedRoot(f.trust.signedRoot(1));
  AgentContent c0 = f.issue("agent-1", f.t1);
  state = accept(state, c0, "agent-1", f.clock.now());
  CHECK_FALSE(signaturesOf(c0).has_value());
  v1::SignatureBundleInfo first = publishBundle(f, "first");
  AgentContent c1 = f.issue("agent-1", f.t1);
  CHECK(versionsOf(c1).policy == versionsOf(c0).policy);  // the policy did not change
  CHECK(versionsOf(c1).targets > versionsOf(c0).timestamp);
  auto sig = signaturesOf(c1);
  REQUIRE(sig.has_value());
  CHECK(sig->name() == "signatures");
  CHECK(sig->version() == first.version());
  CHECK(sig->length() == first.size());
  CHECK(toHex(sig->sha256()) == first.sha256());
  REQUIRE(c1.artifacts.size() == 2);  // what a bundle export packs
  CHECK(toHex(c1.artifacts[1]) == first.sha256());
  CHECK(f.artifacts.sizeOf(first.sha256()) == first.size());
  state = accept(state, c1, "agent-1", f.clock.now());
  CHECK(versionsOf(f.issue("agent-1", f.t1)) == versionsOf(c1));  // no churn
  CHECK(signaturesOf(f.issue("agent-3", f.t3))->version() == first.version());

  v1::SignatureBundleInfo second = publishBundle(f, "second");
  CHECK(second.version() == first.version() + 1);
  AgentContent c2 = f.issue("agent-1", f.t1);
  CHECK(signaturesOf(c2)->version() == second.version());
  CHECK(versionsOf(c2).targets > versionsOf(c1).timestamp);
  accept(state, c2, "agent-1", f.clock.now());
}

TEST_CASE("a lost bundle artifact file is restored from the database") {
  IssuerFixture f;
  v1::SignatureBundleInfo info = publishBundle(f, "kept");
  f.issue("agent-1", f.t1);
  const std::string path = f.artifacts.pathOf(info.sha256());
  auto original = readFile(path, 1 << 20);
  REQUIRE(original.isOk());
  REQUIRE(::unlink(path.c_str()) == 0);
  AgentContent c = f.issue("agent-1", f.t1);
  CHECK(signaturesOf(c)->version() == info.version());
  auto restored = readFile(path, 1 << 20);
  REQUIRE(restored.isOk());
  CHECK(*restored == *original);
}

TEST_CASE("an unknown terminal is E_NOT_FOUND") {
  IssuerFixture f;
  auto txn = f.db.store->beginWrite();
  REQUIRE(txn.isOk());
  CHECK(f.issuer->issue(**txn, "agent-x", "ffff", 0).status().code() == ErrorCode::kNotFound);
}

}  // namespace
}  // namespace xiaoan::collector
