#include "service/collector/store/sqlite_store.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "service/collector/trust/crypto_util.h"
#include "tests/service/collector/support/store_fixture.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;
using testing::TempDir;

std::vector<AckRow> headsOf(SqliteStore& store, const std::string& agent) {
  auto txn = store.beginWrite();
  REQUIRE(txn.isOk());
  auto heads = (*txn)->agentHeads(agent);
  REQUIRE(heads.isOk());
  return *heads;
}

TEST_CASE("opening a missing database without create fails with E_NOT_FOUND") {
  TempDir dir;
  auto s = SqliteStore::open(dir.file("none.db"), false);
  REQUIRE_FALSE(s.isOk());
  CHECK(s.status().code() == ErrorCode::kNotFound);
}

TEST_CASE("schools: duplicates are refused and mutations are audited") {
  StoreFixture f;
  f.addSchool("s1");
  auto dup = f.store->addSchool({"s1", "x", "", kNow}, {kNow, "admin", "school.add", "s1", "{}"});
  CHECK(dup.code() == ErrorCode::kInvalidArgument);
  auto schools = f.store->listSchools();
  REQUIRE(schools.isOk());
  REQUIRE(schools->size() == 1);
  CHECK((*schools)[0].name == "School s1");
  auto audit = f.store->listAudit(10);
  REQUIRE(audit.isOk());
  REQUIRE(audit->size() == 1);  // the refused duplicate left no audit record
  CHECK((*audit)[0].action == "school.add");
}

TEST_CASE("tokens need an existing school and can be revoked") {
  StoreFixture f;
  TokenRow t;
  t.id = "aa";
  t.school_id = "nope";
  CHECK(f.store->addToken(t, {kNow, "admin", "token.create", "aa", "{}"}).code() ==
        ErrorCode::kNotFound);
  f.addSchool("s1");
  f.addToken("aa", "s1");
  auto revoked = f.store->revokeToken("aa", {kNow, "admin", "token.revoke", "aa", "{}"});
  REQUIRE(revoked.isOk());
  CHECK(revoked->revoked);
  CHECK(f.store->revokeToken("bb", {kNow, "admin", "token.revoke", "bb", "{}"}).status().code() ==
        ErrorCode::kNotFound);
  auto audit = f.store->listAudit(10);
  REQUIRE(audit.isOk());
  CHECK(audit->size() == 3);
}

TEST_CASE("enrollment token rules: unknown, wrong secret, revoked, expired, used up") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("a1", "s1");
  f.addToken("b2", "s1", 1);
  f.addToken("c3", "s1", 0, kNow + 1000);
  f.addToken("d4", "s1");
  REQUIRE(f.store->revokeToken("d4", {kNow, "admin", "token.revoke", "d4", "{}"}).isOk());

  CHECK(f.enroll(f.params("ff", "agent0", {})).status().code() == ErrorCode::kUnauthorized);
  auto wrong = f.params("a1", "agent0", {});
  wrong.token_secret_sha256_hex = sha256Hex("guess");
  CHECK(f.enroll(wrong).status().code() == ErrorCode::kUnauthorized);
  CHECK(f.enroll(f.params("d4", "agent0", {})).status().code() == ErrorCode::kUnauthorized);

  CHECK(f.enroll(f.params("c3", "agent1", {}, kNow + 999)).isOk());
  auto expired = f.enroll(f.params("c3", "agent2", {}, kNow + 1000));
  CHECK(expired.status().code() == ErrorCode::kUnauthorized);
  CHECK(expired.status().message().find("expired") != std::string::npos);

  CHECK(f.enroll(f.params("b2", "agent3", {})).isOk());
  auto used = f.enroll(f.params("b2", "agent4", {}));
  CHECK(used.status().code() == ErrorCode::kUnauthorized);
  CHECK(used.status().message().find("used up") != std::string::npos);

  CHECK(f.enroll(f.params("a1", "agent5", {})).isOk());
  CHECK(f.enroll(f.params("a1", "agent6", {})).isOk());  // unlimited
  auto tokens = f.store->listTokens("s1");
  REQUIRE(tokens.isOk());
  for (const auto& t : *tokens) {
    if (t.id == "a1") CHECK(t.uses == 2);
    if (t.id == "b2") CHECK(t.uses == 1);
  }
}

TEST_CASE("events are stored once per (agent, stream, epoch, seq)") {
  StoreFixture f;
  CHECK(f.insert("agent1", "activity", 7, 1, 10) == std::pair{10, 0});
  CHECK(f.insert("agent1", "activity", 7, 5, 12) == std::pair{2, 6});
  CHECK(f.insert("agent1", "activity", 8, 1, 3) == std::pair{3, 0});  // new epoch
  CHECK(f.insert("agent2", "activity", 7, 1, 3) == std::pair{3, 0});  // other agent
  CHECK(f.insert("agent1", "security", 7, 1, 3) == std::pair{3, 0});  // other stream
  EventQuery q;
  q.limit = 100;
  auto events = f.store->listEvents(q);
  REQUIRE(events.isOk());
  CHECK(events->size() == 21);
}

TEST_CASE("heads: highest stored seq per (stream, epoch); never go down; epochs beyond 2^63") {
  StoreFixture f;
  uint64_t big_epoch = 0xF000'0000'0000'0001ull;
  f.insert("agent1", "activity", big_epoch, 1, 50);
  f.insert("agent1", "activity", big_epoch, 1, 20);  // resend of an older batch
  f.insert("agent1", "security", 3, 1, 4);
  auto heads = headsOf(*f.store, "agent1");
  REQUIRE(heads.size() == 2);
  for (const auto& h : heads) {
    if (h.stream == "activity") {
      CHECK(h.epoch == big_epoch);
      CHECK(h.seq == 50);
    } else {
      CHECK(h.epoch == 3);
      CHECK(h.seq == 4);
    }
  }
  CHECK(headsOf(*f.store, "agent2").empty());
}

TEST_CASE("terminal linking by MAC within the school, with the earlier instance's heads") {
  StoreFixture f;
  f.addSchool("s1");
  f.addSchool("s2");
  f.addToken("a1", "s1");
  f.addToken("b1", "s2");
  auto first = f.enroll(f.params("a1", "agentA", {"02:00:00:00:00:01", "02:00:00:00:00:02"}));
  REQUIRE(first.isOk());
  CHECK(first->new_terminal);
  CHECK(first->earlier_acks.empty());
  f.insert("agentA", "activity", 11, 1, 40);
  f.insert("agentA", "security", 12, 1, 5);

  // Re-imaged PC: new key and agent id, same second NIC.
  auto again = f.enroll(f.params("a1", "agentB", {"02:00:00:00:00:02"}));
  REQUIRE(again.isOk());
  CHECK_FALSE(again->new_terminal);
  CHECK(again->terminal_id == first->terminal_id);
  REQUIRE(again->earlier_acks.size() == 2);
  for (const auto& a : again->earlier_acks) {
    CHECK(a.seq == (a.stream == "activity" ? 40u : 5u));
    CHECK(a.epoch == (a.stream == "activity" ? 11u : 12u));
  }

  // Same MAC in another school is another terminal; no MAC at all is always new.
  auto other = f.enroll(f.params("b1", "agentC", {"02:00:00:00:00:02"}));
  REQUIRE(other.isOk());
  CHECK(other->new_terminal);
  auto nomac = f.enroll(f.params("a1", "agentD", {}));
  REQUIRE(nomac.isOk());
  CHECK(nomac->new_terminal);

  auto terminals = f.store->listTerminals("s1");
  REQUIRE(terminals.isOk());
  REQUIRE(terminals->size() == 2);
  auto it = std::find_if(terminals->begin(), terminals->end(),
                         [&](const TerminalRow& t) { return t.id == first->terminal_id; });
  REQUIRE(it != terminals->end());
  CHECK(it->agent_id == "agentB");  // the current instance
  CHECK(it->macs == std::vector<std::string>{"02:00:00:00:00:02"});
  CHECK(it->enrolled_at_ms == kNow);
}

TEST_CASE("check-in updates the terminal; unknown agents are unauthorized") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("a1", "s1");
  auto enrolled = f.enroll(f.params("a1", "agentA", {"02:00:00:00:00:01"}));
  REQUIRE(enrolled.isOk());
  auto txn = f.store->beginWrite();
  REQUIRE(txn.isOk());
  CheckinUpdate u;
  u.agent_id = "nobody";
  CHECK((*txn)->recordCheckin(u).status().code() == ErrorCode::kUnauthorized);
  u.agent_id = "agentA";
  u.hostname = "JF2-07";
  u.macs = {"02:00:00:00:00:01", "02:00:00:00:00:03"};
  u.ipv4 = {"10.0.0.7/24"};
  u.os_version = "Debian 12";
  u.agent_version = "0.1.0";
  u.policy_version = 4;
  u.spool_pending = 99;
  u.now_ms = kNow + 5000;
  auto agent = (*txn)->recordCheckin(u);
  REQUIRE(agent.isOk());
  CHECK(agent->terminal_id == enrolled->terminal_id);
  REQUIRE((*txn)->commit().isOk());
  auto terminals = f.store->listTerminals("");
  REQUIRE(terminals.isOk());
  REQUIRE(terminals->size() == 1);
  const auto& t = (*terminals)[0];
  CHECK(t.hostname == "JF2-07");
  CHECK(t.macs == u.macs);
  CHECK(t.ipv4 == u.ipv4);
  CHECK(t.last_checkin_ms == kNow + 5000);
  CHECK(t.spool_pending == 99);
  CHECK(t.policy_version == 4);
  // A MAC first seen at check-in links a later enrollment too.
  auto linked = f.enroll(f.params("a1", "agentB", {"02:00:00:00:00:03"}));
  REQUIRE(linked.isOk());
  CHECK(linked->terminal_id == enrolled->terminal_id);
}

TEST_CASE("savepoint rollback undoes one job; an uncommitted transaction leaves nothing") {
  StoreFixture f;
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    REQUIRE((*txn)->savepoint().isOk());
    REQUIRE((*txn)->insertEvent("a", {"activity", 1, 1, "diagnostic", 2, 0, "", "{}"}, 0).isOk());
    REQUIRE((*txn)->rollbackToSavepoint().isOk());
    REQUIRE((*txn)->savepoint().isOk());
    REQUIRE((*txn)->insertEvent("a", {"activity", 1, 2, "diagnostic", 2, 0, "", "{}"}, 0).isOk());
    REQUIRE((*txn)->releaseSavepoint().isOk());
    REQUIRE((*txn)->commit().isOk());
  }
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    REQUIRE((*txn)->insertEvent("a", {"activity", 1, 3, "diagnostic", 2, 0, "", "{}"}, 0).isOk());
  }  // destroyed without commit
  auto reopened = f.open();
  EventQuery q;
  auto events = reopened->listEvents(q);
  REQUIRE(events.isOk());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].seq == 2u);
}

TEST_CASE("event listing filters by type, terminal, time and limit, oldest first") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("a1", "s1");
  auto t1 = f.enroll(f.params("a1", "agentA", {"02:00:00:00:00:01"}));
  auto t2 = f.enroll(f.params("a1", "agentB", {"02:00:00:00:00:02"}));
  REQUIRE(t1.isOk());
  REQUIRE(t2.isOk());
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    for (uint64_t seq = 1; seq <= 5; ++seq) {
      EventRow row{"activity", 1, seq, "diagnostic", 2, kNow + static_cast<int64_t>(seq), "", "{}"};
      REQUIRE((*txn)->insertEvent(seq % 2 ? "agentA" : "agentB", row, kNow).isOk());
    }
    REQUIRE((*txn)
                ->insertCollectorEvent("agentA", "security_alert", R"({"code":"E_FORBIDDEN"})",
                                       kNow + 10)
                .isOk());
    REQUIRE((*txn)->commit().isOk());
  }
  EventQuery q;
  q.type = "security_alert";
  auto alerts = f.store->listEvents(q);
  REQUIRE(alerts.isOk());
  REQUIRE(alerts->size() == 1);
  CHECK_FALSE((*alerts)[0].seq.has_value());
  CHECK((*alerts)[0].terminal_id == t1->terminal_id);
  CHECK((*alerts)[0].school_id == "s1");
  CHECK((*alerts)[0].payload_json == R"({"code":"E_FORBIDDEN"})");

  q = EventQuery{};
  q.terminal_id = t2->terminal_id;
  auto of_b = f.store->listEvents(q);
  REQUIRE(of_b.isOk());
  REQUIRE(of_b->size() == 2);
  CHECK((*of_b)[0].seq == 2u);
  CHECK((*of_b)[1].seq == 4u);

  q = EventQuery{};
  q.since_ms = kNow + 3;
  q.limit = 2;
  auto recent = f.store->listEvents(q);
  REQUIRE(recent.isOk());
  REQUIRE(recent->size() == 2);
  CHECK((*recent)[0].seq == 3u);
  CHECK((*recent)[1].seq == 4u);
}

TEST_CASE("admin accounts are created and replaced") {
  StoreFixture f;
  auto none = f.store->findAdmin("admin");
  REQUIRE(none.isOk());
  CHECK_FALSE(none->has_value());
  REQUIRE(f.store->putAdmin({"admin", "h1"}).isOk());
  REQUIRE(f.store->putAdmin({"admin", "h2"}).isOk());
  auto found = f.store->findAdmin("admin");
  REQUIRE(found.isOk());
  REQUIRE(found->has_value());
  CHECK((*found)->password_hash == "h2");
}

}  // namespace
}  // namespace xiaoan::collector
