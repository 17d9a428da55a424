#include "service/collector/agent_api/ingest_writer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>

#include "service/collector/store/sqlite_store.h"
#include "tests/service/collector/support/temp_dir.h"

namespace xiaoan::collector {
namespace {

using testing::TempDir;

// Inserts `count` events starting at `first_seq`; optionally fails after inserting. Records
// its completion status in a promise.
class InsertJob final : public WriteJob {
 public:
  InsertJob(uint64_t first_seq, uint64_t count, bool fail, std::promise<Status> done,
            std::atomic<int>* applied = nullptr)
      : first_(first_seq), count_(count), fail_(fail), done_(std::move(done)), applied_(applied) {}
  size_t costBytes() const override { return 100; }
  size_t rowCount() const override { return count_; }
  Status apply(WriteTxn& txn) override {
    if (applied_ != nullptr) ++*applied_;
    for (uint64_t s = first_; s < first_ + count_; ++s) {
      XIAOAN_ASSIGN_OR_RETURN(
          bool inserted, txn.insertEvent("a", {"activity", 1, s, "diagnostic", 2, 0, "", "{}"}, 0));
      (void)inserted;
    }
    if (fail_) return Status(ErrorCode::kUnauthorized, "refused");
    return Status::ok();
  }
  void complete(const Status& status) override { done_.set_value(status); }

 private:
  uint64_t first_;
  uint64_t count_;
  bool fail_;
  std::promise<Status> done_;
  std::atomic<int>* applied_;
};

struct WriterFixture {
  TempDir dir;
  std::string db = dir.file("collector.db");

  std::unique_ptr<Store> open() {
    auto s = SqliteStore::open(db, true);
    REQUIRE(s.isOk());
    return std::unique_ptr<Store>(std::move(*s));
  }

  size_t storedCount() {
    auto store = open();
    EventQuery q;
    q.limit = 10000;
    auto events = store->listEvents(q);
    REQUIRE(events.isOk());
    return events->size();
  }
};

std::future<Status> submit(IngestWriter& w, uint64_t first, uint64_t count, bool fail = false) {
  std::promise<Status> p;
  auto f = p.get_future();
  std::unique_ptr<WriteJob> job = std::make_unique<InsertJob>(first, count, fail, std::move(p));
  REQUIRE(w.trySubmit(job));
  return f;
}

TEST_CASE("jobs complete after commit; a failing job is rolled back alone") {
  WriterFixture f;
  IngestWriter writer(f.open(), WriterOptions{});
  writer.start();
  auto ok1 = submit(writer, 1, 10);
  auto bad = submit(writer, 11, 10, true);
  auto ok2 = submit(writer, 21, 10);
  CHECK(ok1.get().isOk());
  CHECK(bad.get().code() == ErrorCode::kUnauthorized);
  CHECK(ok2.get().isOk());
  writer.stop();
  CHECK(f.storedCount() == 20);
  auto stats = writer.stats();
  CHECK(stats.jobs_committed == 2);
  CHECK(stats.jobs_failed == 1);
}

TEST_CASE("queued jobs share transactions (group commit) and stop() drains the queue") {
  WriterFixture f;
  IngestWriter writer(f.open(), WriterOptions{});
  // Not started yet: everything queues, then is committed in few transactions.
  std::vector<std::future<Status>> done;
  for (uint64_t i = 0; i < 50; ++i) done.push_back(submit(writer, i * 10 + 1, 10));
  writer.start();
  writer.stop();
  for (auto& d : done) CHECK(d.get().isOk());
  CHECK(f.storedCount() == 500);
  CHECK(writer.stats().transactions == 1);
}

TEST_CASE("a full queue refuses jobs without touching them; a stopped writer refuses all") {
  WriterFixture f;
  WriterOptions opts;
  opts.max_queue_jobs = 2;
  IngestWriter writer(f.open(), opts);
  auto a = submit(writer, 1, 1);
  auto b = submit(writer, 2, 1);
  std::promise<Status> p;
  auto never = p.get_future();
  std::unique_ptr<WriteJob> job = std::make_unique<InsertJob>(3, 1, false, std::move(p));
  CHECK_FALSE(writer.trySubmit(job));
  CHECK(job != nullptr);  // still the caller's
  CHECK(writer.stats().rejected_full == 1);
  writer.start();
  CHECK(a.get().isOk());
  CHECK(b.get().isOk());
  writer.stop();
  CHECK_FALSE(writer.trySubmit(job));
  CHECK(f.storedCount() == 2);
}

TEST_CASE("the byte budget bounds the queue, but one large job always fits an empty queue") {
  WriterFixture f;
  WriterOptions opts;
  opts.max_queue_bytes = 150;  // jobs cost 100 each
  IngestWriter writer(f.open(), opts);
  auto a = submit(writer, 1, 1);
  std::promise<Status> p;
  std::unique_ptr<WriteJob> job = std::make_unique<InsertJob>(2, 1, false, std::move(p));
  CHECK_FALSE(writer.trySubmit(job));
  writer.start();
  CHECK(a.get().isOk());
  writer.stop();
}

TEST_CASE("a database that cannot be written fails every job of the group") {
  // Stands in for a full disk: every transaction fails to start.
  class BrokenStore final : public Store {
   public:
    Result<std::unique_ptr<WriteTxn>> beginWrite() override {
      return Status(ErrorCode::kDatabase, "disk full");
    }
    Status addSchool(const SchoolRow&, const AuditRow&) override { return Status::ok(); }
    Result<std::vector<SchoolRow>> listSchools() override { return std::vector<SchoolRow>{}; }
    Status setReenrollPolicy(const std::string&, ReenrollPolicy, const AuditRow&) override {
      return Status::ok();
    }
    Result<std::vector<PendingEnrollmentRow>> listPendingEnrollments(const std::string&) override {
      return std::vector<PendingEnrollmentRow>{};
    }
    Result<PendingEnrollmentRow> approvePendingEnrollment(const std::string&,
                                                          const AuditRow&) override {
      return PendingEnrollmentRow{};
    }
    Status addToken(const TokenRow&, const AuditRow&) override { return Status::ok(); }
    Result<std::vector<TokenRow>> listTokens(const std::string&) override {
      return std::vector<TokenRow>{};
    }
    Result<TokenRow> revokeToken(const std::string&, const AuditRow&) override {
      return TokenRow{};
    }
    Result<std::vector<TerminalRow>> listTerminals(const std::string&) override {
      return std::vector<TerminalRow>{};
    }
    Result<std::vector<StoredEventRow>> listEvents(const EventQuery&) override {
      return std::vector<StoredEventRow>{};
    }
    Result<std::vector<AuditRow>> listAudit(uint32_t) override { return std::vector<AuditRow>{}; }
    Result<std::vector<StoredVisit>> searchVisits(const RecordQuery&) override {
      return std::vector<StoredVisit>{};
    }
    Result<std::vector<StoredSession>> listSessions(const RecordQuery&) override {
      return std::vector<StoredSession>{};
    }
    Result<std::vector<StoredAlert>> listAlerts(const RecordQuery&) override {
      return std::vector<StoredAlert>{};
    }
    Result<std::vector<RetentionCandidate>> retentionCandidates(RetentionTable, int64_t,
                                                                std::pair<int64_t, int64_t>,
                                                                uint32_t) override {
      return std::vector<RetentionCandidate>{};
    }
    Result<RetentionDeletion> deleteRows(RetentionTable,
                                         const std::vector<std::pair<int64_t, int64_t>>&) override {
      return RetentionDeletion{};
    }
    Status recordAudit(const AuditRow&) override { return Status::ok(); }
    Status putAdmin(const AdminRow&) override { return Status::ok(); }
    Result<std::optional<AdminRow>> findAdmin(const std::string&) override {
      return std::optional<AdminRow>();
    }
    Result<std::optional<PolicyLayerRow>> findPolicyLayer(const std::string&,
                                                          const std::string&) override {
      return std::optional<PolicyLayerRow>();
    }
    Result<PolicyLayerRow> putPolicyLayer(const PolicyLayerRow&, const AuditRow&) override {
      return PolicyLayerRow{};
    }
    Status deletePolicyLayer(const std::string&, const std::string&, const AuditRow&) override {
      return Status::ok();
    }
    Status setTerminalRoom(const std::string&, const std::string&, const AuditRow&) override {
      return Status::ok();
    }
    Result<std::optional<TerminalPolicyLayers>> terminalPolicyLayers(const std::string&) override {
      return std::optional<TerminalPolicyLayers>();
    }
    Result<std::optional<IssuedContentRow>> findIssuedContent(const std::string&) override {
      return std::optional<IssuedContentRow>();
    }
    Result<std::vector<SignatureBundleRow>> listSignatureBundles(uint32_t) override {
      return std::vector<SignatureBundleRow>{};
    }
    Result<std::vector<DetectionRow>> listDetections(const DetectionQuery&) override {
      return std::vector<DetectionRow>{};
    }
    Result<std::vector<RoomRow>> listRooms(const std::string&) override {
      return std::vector<RoomRow>{};
    }
    Status addRoom(const std::string&, const std::string&, const AuditRow&) override {
      return Status::ok();
    }
    Status renameRoom(const std::string&, const std::string&, const std::string&,
                      const AuditRow&) override {
      return Status::ok();
    }
    Status deleteRoom(const std::string&, const std::string&, const AuditRow&) override {
      return Status::ok();
    }
    Result<RegistryKeys> registryKeys(const std::string&) override { return RegistryKeys{}; }
    Status replaceRegistry(const std::string&, const std::vector<RegistryEntry>&,
                           const std::vector<std::string>&, int64_t, const AuditRow&) override {
      return Status::ok();
    }
    Result<std::vector<RegistryEntryRow>> listRegistry(const std::string&,
                                                       const std::string&) override {
      return std::vector<RegistryEntryRow>{};
    }
    Result<std::vector<ComplianceRow>> complianceRows(const std::string&,
                                                      const std::string&) override {
      return std::vector<ComplianceRow>{};
    }
    Result<std::vector<std::string>> resolveTerminal(const std::string&) override {
      return std::vector<std::string>{};
    }
  };
  IngestWriter writer(std::make_unique<BrokenStore>(), WriterOptions{});
  auto a = submit(writer, 1, 1);
  auto b = submit(writer, 2, 1);
  writer.start();
  CHECK(a.get().code() == ErrorCode::kDatabase);
  CHECK(b.get().code() == ErrorCode::kDatabase);
  writer.stop();
  CHECK(writer.stats().jobs_failed == 2);
}

}  // namespace
}  // namespace xiaoan::collector
