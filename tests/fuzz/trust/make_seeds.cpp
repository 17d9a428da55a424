// Writes the seed corpus of the trust fuzzers (committed under corpus/; run again only when
// the schema changes):  xiaoan_trust_fuzz_seeds tests/fuzz/trust/corpus
// Metadata seeds are signed by the fixed keys of trust_fuzz_world.h, so they pass the signature
// checks as they are (selector bit 0 clear) and lead the fuzzer into the later checks.
#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/trust/metadata.h"
#include "tests/fuzz/trust/trust_fuzz_world.h"
#include "xiaoan/v1/policy.pb.h"

namespace {

using namespace xiaoan;
using google::protobuf::util::TimeUtil;

std::filesystem::path g_out;

void write(const std::string& dir, const std::string& name, uint8_t selector,
           const std::string& body) {
  std::filesystem::create_directories(g_out / dir);
  std::ofstream f(g_out / dir / name, std::ios::binary);
  f.put(static_cast<char>(selector));
  f << body;
}

void meta(const std::string& name, uint8_t selector, const v1::TrustUpdate& u) {
  write("metadata", name, selector, u.SerializeAsString());
}

// `u` with its timestamp rewritten by `edit`, references fixed and everything re-signed.
template <typename Edit>
v1::TrustUpdate editTimestamp(v1::TrustUpdate u, Edit edit) {
  v1::TimestampMetadata ts;
  ts.ParseFromString(u.timestamp().payload());
  edit(ts);
  u.mutable_timestamp()->set_payload(trust::serializeDeterministic(ts));
  fuzz::resignAll(u);
  return u;
}

v1::TrustUpdate withRoot(v1::TrustUpdate u, const testing::TrustFixture& f, uint64_t version) {
  *u.add_roots() = testing::TrustFixture::sign(v1::ROLE_ROOT, f.rootMeta(version), f.rootSigners());
  return u;
}

void metadataSeeds() {
  const auto& w = fuzz::world();
  meta("valid_first", 0x00, w.update(6, 6, 4));
  meta("valid_next", 0x08, w.update(6, 6, 4));
  meta("same_again", 0x08, w.update(5, 5, 3));
  meta("rollback", 0x08, w.update(4, 4, 2));
  meta("offline_next", 0x0c, w.update(7, 7, 5));
  v1::TrustUpdate unsigned_update = w.update(6, 6, 4);
  unsigned_update.mutable_timestamp()->clear_signatures();
  unsigned_update.mutable_content_targets()->clear_signatures();
  meta("needs_signing", 0x03, unsigned_update);
  auto expired = editTimestamp(w.update(6, 6, 4), [&](v1::TimestampMetadata& ts) {
    *ts.mutable_expires() = testing::protoTime(w.now - std::chrono::hours(1));
  });
  meta("expired", 0x00, expired);
  meta("expired_offline", 0x04, expired);
  meta("other_agent", 0x00, editTimestamp(w.update(6, 6, 4), [](v1::TimestampMetadata& ts) {
         ts.set_agent_id("agent-2");
       }));
  v1::TrustUpdate mixed = w.update(6, 6, 4);
  *mixed.mutable_content_targets() = w.update(6, 7, 5).content_targets();
  meta("mix_and_match", 0x00, mixed);
  meta("root_next", 0x08, withRoot(w.update(6, 6, 4), w, 2));
  meta("root_gap", 0x00, withRoot(w.update(6, 6, 4), w, 3));
  testing::TrustFixture rotated(1, 1);  // root v2 hands the content role to another key
  rotated.root_keys[0] = fuzz::fixedKey(0);
  rotated.release = fuzz::fixedKey(1);
  rotated.content = fuzz::fixedKey(1);
  rotated.timestamp = fuzz::fixedKey(3);
  rotated.now = w.now;
  meta("root_rotates_content", 0x08, withRoot(rotated.update(6, 2, 1), rotated, 2));
  rotated.timestamp = fuzz::fixedKey(2);  // and the timestamp role too: fast-forward recovery
  meta("root_rotates_both", 0x08, withRoot(rotated.update(2, 2, 1), rotated, 2));
  const char garbage[] = "\x0a\x05hello\x12\x03\x0a\x01\x00";
  write("metadata", "garbage", 0x01, std::string(garbage, sizeof garbage - 1));
}

void document(const std::string& name, uint64_t version, const std::string& agent,
              const std::string& policy_text) {
  v1::PolicyDocument doc;
  doc.set_version(version);
  doc.set_agent_id(agent);
  doc.set_terminal_id("T-0001");
  *doc.mutable_issued_at() = TimeUtil::SecondsToTimestamp(1'800'000'000);
  doc.mutable_policy()->ParseFromString(policy_text);
  write("policy", name, 0, trust::serializeDeterministic(doc));
}

void policySeeds() {
  v1::Policy p;
  p.mutable_agent()->set_checkin_interval_seconds(300);
  document("doc_valid", 3, "agent-1", p.SerializeAsString());
  document("doc_other_agent", 3, "agent-2", p.SerializeAsString());
  p.mutable_agent()->set_checkin_interval_seconds(5);
  document("doc_invalid_interval", 4, "agent-1", p.SerializeAsString());
  p.mutable_agent()->set_checkin_interval_seconds(60);
  p.mutable_scan()->add_paths("/home");
  auto* window = p.mutable_scan()->add_windows();
  window->set_start("22:00");
  window->set_end("06:00");
  p.mutable_binding()->set_mac("aa:bb:cc:dd:ee:ff");
  p.mutable_naming()->set_pattern("{school_abbr}-{room}-{seat:02}");
  p.mutable_retention()->set_browsing_days(60);
  document("doc_full", 9, "agent-1", p.SerializeAsString());
  write("policy", "json_valid", 1, R"({"agent":{"checkin_interval_seconds":300}})");
  write("policy", "json_camel", 1,
        R"({"agent":{"checkinIntervalSeconds":20},"browsing":{"enabled":true}})");
  write("policy", "json_range", 1,
        R"({"agent":{"checkin_interval_seconds":5},"scan":{"cpu_percent":500}})");
  write("policy", "json_unknown", 1, R"({"agent":{"bogus":1},"scan":{"windows":[{"start":"8"}]}})");
  write("policy", "json_types", 1, R"({"agent":"x","scan":{"paths":[1,2],"action":"NOPE"}})");
  write("policy", "set_interval", 2, "agent.checkin_interval_seconds=300");
  write("policy", "set_list", 2, R"(scan.paths=["/home","/srv"])");
  write("policy", "set_windows", 2, R"(scan.windows=[{"start":"08:00","end":"17:00"}])");
  write("policy", "set_enum", 2, "naming.action=enforce");
  write("policy", "set_terminal_only", 2, "binding.mac=aa:bb:cc:dd:ee:ff");
  write("policy", "set_unknown", 2, "bogus.field=1");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  metadataSeeds();
  policySeeds();
  return 0;
}
