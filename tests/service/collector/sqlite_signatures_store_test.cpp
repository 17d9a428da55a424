// Storage of the antivirus data on a real SQLite file: the step-wise migration of a version 2
// database, signature bundles and their version counter, what check-ins report (loaded bundle,
// last full scan) and the detection query.
#include <doctest/doctest.h>

#include "service/collector/store/sqlite_schema.h"
#include "tests/service/collector/support/store_fixture.h"

namespace xiaoan::collector {
namespace {

using testing::kNow;
using testing::StoreFixture;
using testing::TempDir;

SignatureBundleRow bundleRow(uint64_t version, const std::string& description) {
  SignatureBundleRow r;
  r.version = version;
  r.sha256_hex = std::string(64, 'a');
  r.size = 1234;
  r.rule_count = 7;
  r.file_count = 2;
  r.published_at_ms = kNow + static_cast<int64_t>(version);
  r.published_by = "county";
  r.description = description;
  r.warnings = std::string("w\0arn", 5);
  return r;
}

// Takes the next bundle version and stores a bundle under it; returns the version.
uint64_t publish(SqliteStore& store, const std::string& description, const std::string& data) {
  auto txn = store.beginWrite();
  REQUIRE(txn.isOk());
  auto version = (*txn)->nextSignaturesVersion();
  REQUIRE(version.isOk());
  REQUIRE((*txn)->insertSignatureBundle(bundleRow(*version, description), data).isOk());
  REQUIRE((*txn)->commit().isOk());
  return *version;
}

int64_t userVersion(const std::string& path) {
  auto db = SqliteDb::open(path, false);
  REQUIRE(db.isOk());
  auto st = (*db)->prepare("PRAGMA user_version");
  REQUIRE(st.isOk());
  REQUIRE((*st)->step().isOk());
  return (*st)->columnInt64(0);
}

TEST_CASE("a version 2 database migrates to 3 and keeps its data and its content counter") {
  TempDir dir;
  const std::string path = dir.file("collector.db");
  {
    auto db = SqliteDb::open(path, true);
    REQUIRE(db.isOk());
    REQUIRE((*db)->exec(kSchemaSql).isOk());
    REQUIRE((*db)->exec(kMigrationTo2).isOk());
    REQUIRE((*db)->exec("PRAGMA user_version=2").isOk());
    REQUIRE((*db)
                ->exec("INSERT INTO schools VALUES('s1', 'School', 'S', 1);"
                       "INSERT INTO terminals(id, school_id, created_at, room, policy_version) "
                       "VALUES('t1', 's1', 1, 'lab1', 5);"
                       "INSERT INTO issued_content VALUES('agentA', 5, x'01', x'02', 6, x'03', "
                       "100, 7, x'04', 50, 1);"
                       "UPDATE counters SET value = 7 WHERE name = 'content_version'")
                .isOk());
  }
  REQUIRE(userVersion(path) == 2);
  auto store = SqliteStore::open(path, false);
  REQUIRE_MESSAGE(store.isOk(), store.status().toString());
  CHECK(userVersion(path) == kSchemaVersion);
  auto terminals = (*store)->listTerminals("");
  REQUIRE(terminals.isOk());
  REQUIRE(terminals->size() == 1);
  CHECK((*terminals)[0].room == "lab1");
  CHECK((*terminals)[0].policy_version == 5);
  CHECK((*terminals)[0].signatures_version == 0);
  CHECK_FALSE((*terminals)[0].last_full_scan_ms.has_value());
  auto issued = (*store)->findIssuedContent("agentA");
  REQUIRE(issued.isOk());
  REQUIRE(issued->has_value());
  CHECK((*issued)->targets_version == 6);
  CHECK((*issued)->signatures_version == 0);  // the old targets name no bundle
  auto bundles = (*store)->listSignatureBundles(10);
  REQUIRE(bundles.isOk());
  CHECK(bundles->empty());
  auto txn = (*store)->beginWrite();
  REQUIRE(txn.isOk());
  CHECK(*(*txn)->nextContentVersion() == 8);  // continues, is not reset
  CHECK(*(*txn)->nextSignaturesVersion() == 1);
}

TEST_CASE(
    "bundles: versions from their own counter, newest first, latest data kept, no duplicates") {
  StoreFixture f;
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    auto latest = (*txn)->latestSignatureBundle();
    REQUIRE(latest.isOk());
    CHECK_FALSE(latest->has_value());
    CHECK((*txn)->nextContentVersion().isOk());  // policy versions do not move bundle versions
    REQUIRE((*txn)->commit().isOk());
  }
  CHECK(publish(*f.store, "first", "one") == 1);
  CHECK(publish(*f.store, "second", std::string("two\0", 4)) == 2);
  auto list = f.store->listSignatureBundles(10);
  REQUIRE(list.isOk());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].version == 2);
  CHECK((*list)[0].description == "second");
  CHECK((*list)[1].version == 1);
  CHECK((*list)[1].warnings == std::string("w\0arn", 5));
  CHECK((*list)[1].rule_count == 7);
  CHECK((*list)[1].published_by == "county");
  CHECK(f.store->listSignatureBundles(1)->size() == 1);

  auto txn = f.store->beginWrite();
  REQUIRE(txn.isOk());
  auto latest = (*txn)->latestSignatureBundle();
  REQUIRE(latest.isOk());
  REQUIRE(latest->has_value());
  CHECK((*latest)->version == 2);
  CHECK(*(*txn)->signatureBundleData(2) == std::string("two\0", 4));
  // Superseded bundles keep their row, not their data (agents only get the latest).
  CHECK((*txn)->signatureBundleData(1).status().code() == ErrorCode::kNotFound);
  CHECK((*txn)->signatureBundleData(9).status().code() == ErrorCode::kNotFound);
  CHECK((*txn)->insertSignatureBundle(bundleRow(2, "again"), "x").code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("the bundle version counter survives a reopen and a rollback takes nothing") {
  StoreFixture f;
  CHECK(publish(*f.store, "first", "one") == 1);
  {
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    CHECK(*(*txn)->nextSignaturesVersion() == 2);
    REQUIRE((*txn)->insertSignatureBundle(bundleRow(2, "rolled back"), "x").isOk());
  }  // not committed
  f.store.reset();
  f.store = f.open();
  CHECK(f.store->listSignatureBundles(10)->size() == 1);
  CHECK(publish(*f.store, "second", "two") == 2);
  f.store.reset();
  f.store = f.open();
  CHECK(publish(*f.store, "third", "three") == 3);
}

TEST_CASE("check-ins record the loaded bundle version and the last full scan") {
  StoreFixture f;
  f.addSchool("s1");
  f.addToken("tok", "s1");
  auto enrolled = f.enroll(f.params("tok", "agentA", {"02:00:00:00:00:01"}));
  REQUIRE(enrolled.isOk());
  auto checkin = [&](uint64_t version, std::optional<int64_t> scan) {
    CheckinUpdate u;
    u.agent_id = "agentA";
    u.hostname = "pc-a";
    u.signatures_version = version;
    u.last_full_scan_ms = scan;
    u.now_ms = kNow;
    auto txn = f.store->beginWrite();
    REQUIRE(txn.isOk());
    REQUIRE((*txn)->recordCheckin(u).isOk());
    REQUIRE((*txn)->commit().isOk());
    auto terminals = f.store->listTerminals("s1");
    REQUIRE(terminals.isOk());
    REQUIRE(terminals->size() == 1);
    return (*terminals)[0];
  };
  TerminalRow t = checkin(3, kNow - 5000);
  CHECK(t.signatures_version == 3);
  CHECK(t.last_full_scan_ms == kNow - 5000);
  t = checkin(0, std::nullopt);  // e.g. re-installed: back to the built-in rules, no scan yet
  CHECK(t.signatures_version == 0);
  CHECK_FALSE(t.last_full_scan_ms.has_value());
}

struct DetectionFixture : StoreFixture {
  DetectionFixture() {
    addSchool("s1");
    addSchool("s2");
    addToken("tok1", "s1");
    addToken("tok2", "s2");
    REQUIRE(enroll(params("tok1", "agentA", {"02:00:00:00:00:01"})).isOk());
    REQUIRE(enroll(params("tok2", "agentB", {"02:00:00:00:00:02"})).isOk());
  }

  void event(const std::string& agent, uint64_t seq, const std::string& type, int64_t wall) {
    auto txn = store->beginWrite();
    REQUIRE(txn.isOk());
    EventRow row{"main", 1, seq, type, 0, wall, "body-" + std::to_string(seq), "{}"};
    REQUIRE((*txn)->insertEvent(agent, row, kNow).isOk());
    REQUIRE((*txn)->commit().isOk());
  }

  std::vector<int64_t> seqs(const DetectionQuery& q) {
    auto rows = store->listDetections(q);
    REQUIRE(rows.isOk());
    std::vector<int64_t> out;
    for (const auto& r : *rows) out.push_back(static_cast<int64_t>(r.event.seq.value_or(0)));
    return out;
  }
};

TEST_CASE("detections: only detection events, newest first, by school, since and limit") {
  DetectionFixture f;
  f.event("agentA", 1, "detection", kNow - 3000);
  f.event("agentA", 2, "scan_summary", kNow - 2500);
  f.event("agentB", 3, "detection", kNow - 2000);
  f.event("agentA", 4, "detection", kNow - 1000);
  CHECK(f.seqs({}) == std::vector<int64_t>{4, 3, 1});
  CHECK(f.seqs({"s1", std::nullopt, 100}) == std::vector<int64_t>{4, 1});
  CHECK(f.seqs({"s2", std::nullopt, 100}) == std::vector<int64_t>{3});
  CHECK(f.seqs({"", kNow - 2000, 100}) == std::vector<int64_t>{4, 3});
  CHECK(f.seqs({"", std::nullopt, 2}) == std::vector<int64_t>{4, 3});
  CHECK(f.seqs({"nope", std::nullopt, 100}).empty());
  auto rows = f.store->listDetections({"s2", std::nullopt, 10});
  REQUIRE(rows.isOk());
  REQUIRE(rows->size() == 1);
  const auto& d = (*rows)[0];
  CHECK(d.hostname == "pc-agentB");
  CHECK(d.event.school_id == "s2");
  CHECK(d.event.agent_id == "agentB");
  CHECK_FALSE(d.event.terminal_id.empty());
  CHECK(d.event.type == "detection");
  CHECK(d.event.body == "body-3");
  CHECK(d.event.wall_time_ms == kNow - 2000);
}

}  // namespace
}  // namespace xiaoan::collector
