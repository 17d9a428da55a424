// Storage of the signed content channel on a real SQLite file: policy layers with revisions and
// audit, room assignment, issued state and the version counter across reopen, and the schema
// migration of a database made by the previous release.
#include <doctest/doctest.h>

#include "service/collector/store/sqlite_schema.h"
#include "tests/service/collector/support/store_fixture.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;
using testing::TempDir;

AuditRow auditOf(const std::string& action, const std::string& target) {
  return {kNow, "admin", action, target, "{}"};
}

PolicyLayerRow layer(const std::string& scope, const std::string& id, const std::string& bytes) {
  PolicyLayerRow r;
  r.scope = scope;
  r.id = id;
  r.policy = bytes;
  r.updated_at_ms = kNow;
  r.updated_by = "admin";
  return r;
}

// An enrolled terminal of school s1; returns its id.
std::string enrolledTerminal(StoreFixture& f, const std::string& agent, const std::string& mac) {
  auto out = f.enroll(f.params("tok", agent, {mac}));
  REQUIRE(out.isOk());
  return out->terminal_id;
}

TEST_CASE("policy layers: put creates revision 1, replaces with +1, audited; delete") {
  StoreFixture f;
  f.addSchool("s1");
  auto missing = f.store->putPolicyLayer(layer("school", "nope", "x"), auditOf("policy.put", "x"));
  CHECK(missing.status().code() == ErrorCode::kNotFound);
  auto room_missing =
      f.store->putPolicyLayer(layer("room", "nope/lab1", "x"), auditOf("policy.put", "x"));
  CHECK(room_missing.status().code() == ErrorCode::kNotFound);
  auto t_missing = f.store->putPolicyLayer(layer("terminal", "t0", "x"), auditOf("p", "x"));
  CHECK(t_missing.status().code() == ErrorCode::kNotFound);

  auto first = f.store->putPolicyLayer(layer("school", "s1", std::string("\x08\x01\0", 3)),
                                       auditOf("policy.put", "school/s1"));
  REQUIRE(first.isOk());
  CHECK(first->revision == 1);
  CHECK(first->policy == std::string("\x08\x01\0", 3));  // bytes kept exactly
  auto second = f.store->putPolicyLayer(layer("school", "s1", "v2"), auditOf("policy.put", "s"));
  REQUIRE(second.isOk());
  CHECK(second->revision == 2);
  auto room = f.store->putPolicyLayer(layer("room", "s1/机房2", "r"), auditOf("policy.put", "r"));
  REQUIRE(room.isOk());
  auto found = f.store->findPolicyLayer("school", "s1");
  REQUIRE(found.isOk());
  REQUIRE(found->has_value());
  CHECK((*found)->policy == "v2");
  CHECK((*found)->updated_by == "admin");

  CHECK(f.store->deletePolicyLayer("school", "s1", auditOf("policy.delete", "s")).isOk());
  CHECK(f.store->deletePolicyLayer("school", "s1", auditOf("policy.delete", "s")).code() ==
        ErrorCode::kNotFound);
  auto gone = f.store->findPolicyLayer("school", "s1");
  REQUIRE(gone.isOk());
  CHECK_FALSE(gone->has_value());
  auto audit = f.store->listAudit(100);
  REQUIRE(audit.isOk());
  // school.add + 3 puts + 1 delete; refused changes left nothing.
  CHECK(audit->size() == 5);
  CHECK((*audit)[0].action == "policy.delete");
}

TEST_CASE("terminal layers in merge order, following the room assignment") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("tok", "s1");
  std::string t = enrolledTerminal(f, "agentA", "02:00:00:00:00:01");
  REQUIRE(f.store->putPolicyLayer(layer("terminal", t, "T"), auditOf("p", t)).isOk());
  REQUIRE(f.store->putPolicyLayer(layer("room", "s1/lab1", "R"), auditOf("p", "r")).isOk());
  REQUIRE(f.store->putPolicyLayer(layer("school", "s1", "S"), auditOf("p", "s")).isOk());
  auto before = f.store->terminalPolicyLayers(t);
  REQUIRE(before.isOk());
  REQUIRE(before->has_value());
  CHECK((*before)->school_id == "s1");
  CHECK((*before)->room.empty());
  CHECK((*before)->agent_id == "agentA");
  REQUIRE((*before)->layers.size() == 2);  // no room yet
  CHECK((*before)->layers[0].policy == "S");
  CHECK((*before)->layers[1].policy == "T");

  CHECK(f.store->setTerminalRoom("nope", "lab1", auditOf("terminal.room", "nope")).code() ==
        ErrorCode::kNotFound);
  REQUIRE(f.store->setTerminalRoom(t, "lab1", auditOf("terminal.room", t)).isOk());
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    auto after = (*txn)->terminalPolicyLayers(t);  // the writer's view is the same
    REQUIRE(after.isOk());
    REQUIRE(after->has_value());
    CHECK((*after)->room == "lab1");
    REQUIRE((*after)->layers.size() == 3);
    CHECK((*after)->layers[0].scope == "school");
    CHECK((*after)->layers[1].scope == "room");
    CHECK((*after)->layers[2].scope == "terminal");
    auto unknown = (*txn)->terminalPolicyLayers("nope");
    REQUIRE(unknown.isOk());
    CHECK_FALSE(unknown->has_value());
  }
  auto terminals = f.store->listTerminals("");
  REQUIRE(terminals.isOk());
  CHECK((*terminals)[0].room == "lab1");
}

TEST_CASE("issued state and the version counter survive a reopen; rollback takes nothing") {
  StoreFixture f;
  IssuedContentRow row;
  row.agent_id = "agentA";
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    auto v1 = (*txn)->nextContentVersion();
    auto v2 = (*txn)->nextContentVersion();
    REQUIRE(v1.isOk());
    REQUIRE(v2.isOk());
    CHECK(*v1 == 1);
    CHECK(*v2 == 2);
    row.policy_version = *v2;
    row.policy_hash = std::string(32, '\xab');
    row.policy_document = std::string("doc\0bytes", 9);
    row.targets_version = 2;
    row.targets_envelope = "targets";
    row.targets_expires_ms = kNow + 1000;
    row.timestamp_version = 2;
    row.timestamp_envelope = "ts";
    row.timestamp_expires_ms = kNow + 500;
    row.updated_at_ms = kNow;
    REQUIRE((*txn)->putIssuedContent(row).isOk());
    REQUIRE((*txn)->commit().isOk());
  }
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    REQUIRE((*txn)->nextContentVersion().isOk());  // rolled back below
  }
  f.store.reset();
  f.store = f.open();
  auto txn = f.store->beginWrite();
  REQUIRE(txn.isOk());
  auto v3 = (*txn)->nextContentVersion();
  REQUIRE(v3.isOk());
  CHECK(*v3 == 3);
  auto read = (*txn)->findIssuedContent("agentA");
  REQUIRE(read.isOk());
  REQUIRE(read->has_value());
  CHECK((*read)->policy_document == row.policy_document);
  CHECK((*read)->policy_hash == row.policy_hash);
  CHECK((*read)->timestamp_expires_ms == kNow + 500);
  auto none = (*txn)->findIssuedContent("other");
  REQUIRE(none.isOk());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("a version 1 database from the previous release migrates and keeps its data") {
  TempDir dir;
  const std::string path = dir.file("collector.db");
  {
    auto db = SqliteDb::open(path, true);
    REQUIRE(db.isOk());
    REQUIRE((*db)->exec(kSchemaSql).isOk());
    REQUIRE((*db)->exec("PRAGMA user_version=1").isOk());
    REQUIRE((*db)
                ->exec("INSERT INTO schools VALUES('s1', 'School', 'S', 1);"
                       "INSERT INTO terminals(id, school_id, created_at) VALUES('t1', 's1', 1)")
                .isOk());
  }
  {
    auto store = SqliteStore::open(path, false);
    REQUIRE_MESSAGE(store.isOk(), store.status().toString());
    auto terminals = (*store)->listTerminals("");
    REQUIRE(terminals.isOk());
    REQUIRE(terminals->size() == 1);
    CHECK((*terminals)[0].room.empty());
    REQUIRE((*store)->setTerminalRoom("t1", "lab1", auditOf("terminal.room", "t1")).isOk());
    auto txn = (*store)->beginWrite();
    REQUIRE(txn.isOk());
    auto v = (*txn)->nextContentVersion();
    REQUIRE(v.isOk());
    CHECK(*v == 1);
  }
  auto db = SqliteDb::open(path, false);
  REQUIRE(db.isOk());
  auto version = (*db)->prepare("PRAGMA user_version");
  REQUIRE(version.isOk());
  REQUIRE((*version)->step().isOk());
  CHECK((*version)->columnInt64(0) == kSchemaVersion);
}

TEST_CASE("a database newer than this collector is refused, not downgraded") {
  TempDir dir;
  const std::string path = dir.file("collector.db");
  {
    auto db = SqliteDb::open(path, true);
    REQUIRE(db.isOk());
    REQUIRE((*db)->exec("PRAGMA user_version=" + std::to_string(kSchemaVersion + 1)).isOk());
  }
  auto store = SqliteStore::open(path, false);
  REQUIRE_FALSE(store.isOk());
  CHECK(store.status().code() == ErrorCode::kDatabase);
}

}  // namespace
}  // namespace xiaoan::collector
