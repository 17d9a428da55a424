// The agent's parse of a downloaded PolicyDocument: bounded, bound to the agent, valid.
#include <doctest/doctest.h>

#include "common/policy/policy_rules.h"

namespace xiaoan::policy {
namespace {

v1::PolicyDocument document() {
  v1::PolicyDocument d;
  d.set_version(7);
  d.set_agent_id("agent-1");
  d.set_terminal_id("t-1");
  d.mutable_issued_at()->set_seconds(1795269785);
  *d.mutable_policy() = builtinDefaults();
  auto* s = d.add_sources();
  s->set_scope(v1::POLICY_SCOPE_SCHOOL);
  s->set_id("xmsyxx");
  s->set_revision(3);
  return d;
}

void expectRejected(const std::string& bytes, const std::string& agent, const std::string& why) {
  auto r = parsePolicyDocument(bytes, agent);
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kPolicyInvalid);
  CHECK_MESSAGE(r.status().message().find(why) != std::string::npos, r.status().message());
}

TEST_CASE("a valid document for this agent parses") {
  auto r = parsePolicyDocument(document().SerializeAsString(), "agent-1");
  REQUIRE(r.isOk());
  CHECK(r->version() == 7);
  CHECK(r->policy().agent().checkin_interval_seconds() == 60);
  CHECK(r->sources(0).revision() == 3);
}

TEST_CASE("another agent's document, version 0, no policy, garbage: E_POLICY_INVALID") {
  expectRejected(document().SerializeAsString(), "agent-2", "agent-1");
  auto d = document();
  d.set_version(0);
  expectRejected(d.SerializeAsString(), "agent-1", "version 0");
  d = document();
  d.clear_policy();
  expectRejected(d.SerializeAsString(), "agent-1", "no policy");
  expectRejected("\xff\xff\xff\xff garbage", "agent-1", "decodable");
}

TEST_CASE("an invalid policy rejects the whole document, naming the fields") {
  auto d = document();
  d.mutable_policy()->mutable_agent()->set_checkin_interval_seconds(1);
  d.mutable_policy()->mutable_scan()->add_paths("relative");
  auto r = parsePolicyDocument(d.SerializeAsString(), "agent-1");
  REQUIRE_FALSE(r.isOk());
  CHECK(r.status().code() == ErrorCode::kPolicyInvalid);
  CHECK(r.status().message().find("agent.checkin_interval_seconds") != std::string::npos);
  CHECK(r.status().message().find("scan.paths[0]") != std::string::npos);
}

TEST_CASE("oversized input is refused before parsing") {
  auto d = document();
  d.mutable_policy()->mutable_scan()->add_exclusions(std::string(kMaxPolicyDocumentBytes, 'x'));
  expectRejected(d.SerializeAsString(), "agent-1", "limit");
}

}  // namespace
}  // namespace xiaoan::policy
