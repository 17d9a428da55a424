#include "service/collector/agent_api/agent_codec.h"

#include <doctest/doctest.h>

#include "xiaoan/v1/agent_api.pb.h"

namespace xiaoan::collector {
namespace {

v1::Event event(const std::string& stream, uint64_t epoch, uint64_t seq) {
  v1::Event e;
  e.set_stream(stream);
  e.set_epoch(epoch);
  e.set_seq(seq);
  e.set_priority(stream == "security" ? v1::PRIORITY_SECURITY : v1::PRIORITY_ACTIVITY);
  e.mutable_wall_time()->set_seconds(1'800'000'000);
  e.mutable_wall_time()->set_nanos(250'000'000);
  e.mutable_diagnostic()->set_request_id("r1");
  e.mutable_diagnostic()->set_index(static_cast<uint32_t>(seq));
  return e;
}

std::string batchOf(const std::vector<v1::Event>& events) {
  v1::EventBatch b;
  for (const auto& e : events) *b.add_events() = e;
  return b.SerializeAsString();
}

TEST_CASE("a valid batch decodes into rows, heads and payload JSON") {
  auto decoded = decodeEventBatch(batchOf({event("activity", 9, 3), event("activity", 9, 4),
                                           event("security", 1, 7), event("activity", 10, 1)}));
  REQUIRE_MESSAGE(decoded.isOk(), decoded.status().toString());
  REQUIRE(decoded->events.size() == 4);
  const auto& row = decoded->events[0];
  CHECK(row.type == "diagnostic");
  CHECK(row.wall_time_ms == 1'800'000'000'250);
  CHECK(row.payload_json.find("\"request_id\":\"r1\"") != std::string::npos);
  CHECK(row.payload_json.find("\"index\":3") != std::string::npos);
  v1::Event back;
  REQUIRE(back.ParseFromString(row.body));
  CHECK(back.seq() == 3);
  REQUIRE(decoded->heads.size() == 3);
  for (const auto& h : decoded->heads) {
    if (h.stream == "activity" && h.epoch == 9) CHECK(h.seq == 4);
    if (h.stream == "activity" && h.epoch == 10) CHECK(h.seq == 1);
    if (h.stream == "security") CHECK(h.seq == 7);
  }
  CHECK(decoded->claimed_ids.empty());
}

TEST_CASE("payload kinds are named after the oneof field; unknown payloads are kept") {
  v1::Event gap = event("activity", 1, 1);
  gap.mutable_gap()->set_first_seq(5);
  gap.mutable_gap()->set_count(3);
  v1::Event bare = event("activity", 1, 2);
  bare.clear_payload();
  auto decoded = decodeEventBatch(batchOf({gap, bare}));
  REQUIRE(decoded.isOk());
  CHECK(decoded->events[0].type == "gap");
  CHECK(decoded->events[0].payload_json.find("\"first_seq\":\"5\"") != std::string::npos);
  CHECK(decoded->events[1].type == "unknown");
  CHECK(decoded->events[1].payload_json == "{}");
}

TEST_CASE("an invalid event rejects the whole batch") {
  auto bad_stream = event("browsing", 1, 1);
  auto zero_seq = event("activity", 1, 0);
  auto no_priority = event("activity", 1, 2);
  no_priority.set_priority(v1::PRIORITY_UNSPECIFIED);
  auto huge_seq = event("activity", 1, ~0ull);
  auto bad_time = event("activity", 1, 3);
  bad_time.mutable_wall_time()->set_seconds(400'000'000'000);
  for (const auto& bad : {bad_stream, zero_seq, no_priority, huge_seq, bad_time}) {
    auto decoded = decodeEventBatch(batchOf({event("activity", 1, 1), bad}));
    REQUIRE_FALSE(decoded.isOk());
    CHECK(decoded.status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("garbage is E_PROTOCOL; too many events is refused before parsing") {
  CHECK(decodeEventBatch("\xff\xff\xff garbage").status().code() == ErrorCode::kProtocol);
  std::string many;
  for (int i = 0; i < 1001; ++i) many += std::string("\x0a\x00", 2);
  auto decoded = decodeEventBatch(many);
  CHECK(decoded.status().code() == ErrorCode::kInvalidArgument);
  CHECK(decoded.status().message().find("more than 1000") != std::string::npos);
  CHECK(decodeEventBatch(std::string(kMaxEventBatchBytes + 1, '\0')).status().code() ==
        ErrorCode::kTooLarge);
  CHECK(decodeEventBatch("").isOk());  // an empty batch is valid and stores nothing
}

TEST_CASE("claimed agent ids are collected, distinct and bounded") {
  std::vector<v1::Event> events;
  for (uint64_t i = 1; i <= 40; ++i) {
    auto e = event("activity", 1, i);
    e.set_claimed_agent_id("claim-" + std::to_string(i % 20));
    events.push_back(e);
  }
  auto decoded = decodeEventBatch(batchOf(events));
  REQUIRE(decoded.isOk());
  CHECK(decoded->claimed_ids.size() == kMaxClaimedIds);
  auto long_claim = event("activity", 1, 1);
  long_claim.set_claimed_agent_id(std::string(200, 'x'));
  CHECK_FALSE(decodeEventBatch(batchOf({long_claim})).isOk());
}

TEST_CASE("enroll requests: token format, CSR presence, facts normalised") {
  v1::EnrollRequest req;
  req.set_token("0a1b.s3cret");
  req.set_csr_pem("-----BEGIN CERTIFICATE REQUEST-----");
  auto* facts = req.mutable_facts();
  facts->set_hostname("JF2-07");
  auto* eth = facts->add_interfaces();
  eth->set_mac("AA-BB-CC-DD-EE-0F");
  eth->add_ipv4("10.1.2.3/24");
  eth->add_ipv4("999.1.2.3/24");
  eth->add_ipv4("10.1.2.4/33");
  auto* lo = facts->add_interfaces();
  lo->set_loopback(true);
  lo->set_mac("00:00:00:00:00:01");
  facts->add_interfaces()->set_mac("00:00:00:00:00:00");
  auto decoded = decodeEnrollRequest(req.SerializeAsString());
  REQUIRE_MESSAGE(decoded.isOk(), decoded.status().toString());
  CHECK(decoded->token_id == "0a1b");
  CHECK(decoded->token_secret == "s3cret");
  CHECK(decoded->facts.hostname == "JF2-07");
  CHECK(decoded->facts.macs == std::vector<std::string>{"aa:bb:cc:dd:ee:0f"});
  CHECK(decoded->facts.ipv4 == std::vector<std::string>{"10.1.2.3/24"});

  for (const char* token : {"", "nodot", ".secret", "0a1b.", "XYZ.secret"}) {
    req.set_token(token);
    CHECK(decodeEnrollRequest(req.SerializeAsString()).status().code() == ErrorCode::kUnauthorized);
  }
  req.set_token("0a1b.s3cret");
  req.clear_csr_pem();
  CHECK(decodeEnrollRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(decodeEnrollRequest("\x0a\xff").status().code() == ErrorCode::kProtocol);
}

TEST_CASE("check-in requests: spool backlog summed, too many interfaces refused") {
  v1::CheckinRequest req;
  req.set_agent_version("0.1.0");
  req.set_policy_version(7);
  req.add_spool()->set_pending_records(10);
  req.add_spool()->set_pending_records(~0ull);  // saturates
  auto decoded = decodeCheckinRequest(req.SerializeAsString());
  REQUIRE(decoded.isOk());
  CHECK(decoded->spool_pending == ~0ull);
  CHECK(decoded->policy_version == 7);
  for (int i = 0; i < 300; ++i) req.mutable_facts()->add_interfaces();
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("check-in requests: compliance kept bounded; permanent MACs normalised") {
  v1::CheckinRequest req;
  auto* itf = req.mutable_facts()->add_interfaces();
  itf->set_mac("02-00-5E-10-00-02");
  itf->set_permanent_mac("02:00:5E:10:00:01");
  auto none = decodeCheckinRequest(req.SerializeAsString());
  REQUIRE(none.isOk());
  CHECK_FALSE(none->compliance.has_value());  // no check reported: nothing stored
  CHECK(none->facts.permanent_macs == std::vector<std::string>{"02:00:5e:10:00:01"});
  auto* c = req.mutable_compliance();
  c->set_state(v1::COMPLIANCE_STATE_VIOLATION);
  auto* v = c->add_violations();
  v->set_kind(v1::VIOLATION_KIND_HOSTNAME);
  v->set_expected("lab1-01");
  auto decoded = decodeCheckinRequest(req.SerializeAsString());
  REQUIRE(decoded.isOk());
  REQUIRE(decoded->compliance.has_value());
  CHECK(decoded->compliance->state == v1::COMPLIANCE_STATE_VIOLATION);
  CHECK(decoded->compliance->kinds == std::vector<int>{v1::VIOLATION_KIND_HOSTNAME});
  v1::ComplianceStatus back;
  REQUIRE(back.ParseFromString(decoded->compliance->status));
  CHECK(back.violations(0).expected() == "lab1-01");
  v->set_actual(std::string(300, 'x'));
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
  v->set_actual("");
  v->set_kind(static_cast<v1::ViolationKind>(99));
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
  v->set_kind(v1::VIOLATION_KIND_WRONG_IP);
  for (int i = 0; i < 64; ++i) c->add_violations()->set_kind(v1::VIOLATION_KIND_EXTRA_IP);
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("check-in requests: loaded signature bundle and last full scan, time in range") {
  v1::CheckinRequest req;
  req.set_signatures_version(12);
  auto none = decodeCheckinRequest(req.SerializeAsString());
  REQUIRE(none.isOk());
  CHECK(none->signatures_version == 12);
  CHECK_FALSE(none->last_full_scan_ms.has_value());  // unset: never completed one
  req.mutable_last_full_scan()->set_seconds(1'795'000'000);
  req.mutable_last_full_scan()->set_nanos(250'000'000);
  auto scanned = decodeCheckinRequest(req.SerializeAsString());
  REQUIRE(scanned.isOk());
  CHECK(scanned->last_full_scan_ms == 1'795'000'000'250);
  req.mutable_last_full_scan()->set_seconds(253402300800);  // year 10000
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
  req.mutable_last_full_scan()->set_seconds(0);
  req.mutable_last_full_scan()->set_nanos(-1);
  CHECK(decodeCheckinRequest(req.SerializeAsString()).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("MAC normalisation") {
  CHECK(normalizeMac("AA:BB:CC:DD:EE:FF") == "aa:bb:cc:dd:ee:ff");
  CHECK(normalizeMac("aa-bb-cc-dd-ee-ff") == "aa:bb:cc:dd:ee:ff");
  CHECK(normalizeMac("00:00:00:00:00:00").empty());
  CHECK(normalizeMac("aa:bb:cc:dd:ee").empty());
  CHECK(normalizeMac("aa:bb:cc:dd:ee:fg").empty());
  CHECK(normalizeMac("aa.bb.cc.dd.ee.ff").empty());
}

}  // namespace
}  // namespace xiaoan::collector
