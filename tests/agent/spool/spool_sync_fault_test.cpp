// The spool when the disk refuses fdatasync (RELIABILITY.md D3): the real Linux file layer
// underneath, with tests/support/sync_fault_shim.cpp preloaded to make fsync/fdatasync of
// chosen files fail with EIO. Nothing unsynced is acknowledged or handed out, nothing
// recovered is thrown away, and the spool goes on once the disk works again.
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>

#include "agent/spool/spool.h"
#include "tests/agent/spool/spool_test_util.h"

namespace xiaoan::agent {
namespace {

using testing::FakeClock;
using testing::mustAppend;
using testing::openSpool;
using testing::readAll;
using testing::smallOptions;
using testing::streamStats;
using testing::TempDir;
using testing::testEvent;

// Sync failures for every segment file of `stream` under `dir` (the names start with a digit;
// the directory itself still syncs) while in scope.
class FailingSync {
 public:
  FailingSync(const std::string& dir, std::string_view stream) {
    REQUIRE_MESSAGE(::dlsym(RTLD_DEFAULT, "xiaoan_sync_fault_shim_loaded") != nullptr,
                    "run with LD_PRELOAD=libxiaoan_sync_fault_shim.so (ctest does)");
    ::setenv("XIAOAN_TEST_FAIL_SYNC", (dir + "/" + std::string(stream) + "/0").c_str(), 1);
  }
  ~FailingSync() { ::unsetenv("XIAOAN_TEST_FAIL_SYNC"); }
  FailingSync(const FailingSync&) = delete;
  FailingSync& operator=(const FailingSync&) = delete;
};

TEST_CASE(
    "a security append whose fdatasync fails is refused, leaves nothing behind, and the "
    "next one after the disk recovers takes its seq") {
  TempDir dir;
  FakeClock clock;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 1));
    mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 2));
    {
      FailingSync failing(dir.path(), "security");
      auto refused = spool->append(testEvent(v1::PRIORITY_SECURITY, 3));
      REQUIRE_FALSE(refused.isOk());
      CHECK(refused.status().code() == ErrorCode::kIo);
      CHECK(refused.status().sysErrno() == EIO);
    }
    CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 4)).seq == 3);
    const auto events = readAll(*spool, kSecurityStream);
    REQUIRE(events.size() == 3);
    CHECK(events[2].diagnostic().index() == 4);
  }
  // The refused record's bytes were cut off the segment: a restart finds exactly the three.
  auto reopened = openSpool(smallOptions(dir.path(), &clock));
  const auto events = readAll(*reopened, kSecurityStream);
  REQUIRE(events.size() == 3);
  CHECK(events[0].diagnostic().index() == 1);
  CHECK(events[1].diagnostic().index() == 2);
  CHECK(events[2].diagnostic().index() == 4);
  CHECK(reopened->stats().corrupt_records_skipped == 0);
}

TEST_CASE("activity records are not handed out for upload until an fdatasync succeeds") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), &clock);
  o.group_fsync_interval = std::chrono::hours(1);  // only readPending syncs here
  auto spool = openSpool(o);
  for (uint32_t i = 0; i < 4; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  {
    FailingSync failing(dir.path(), "activity");
    auto batch = spool->readPending(kActivityStream, 100, 1 << 20, 0);
    REQUIRE_FALSE(batch.isOk());
    CHECK(batch.status().code() == ErrorCode::kIo);
    CHECK(streamStats(*spool, kActivityStream).synced_seq == 0);
    CHECK(streamStats(*spool, kActivityStream).pending_records == 4);
  }
  CHECK(readAll(*spool, kActivityStream).size() == 4);
  CHECK(streamStats(*spool, kActivityStream).synced_seq == 4);
}

TEST_CASE(
    "recovery keeps a segment whose fdatasync fails, counts it, and its records stay "
    "readable") {
  TempDir dir;
  FakeClock clock;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 6; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    REQUIRE(spool->sync().isOk());
  }
  std::unique_ptr<Spool> spool;
  {
    FailingSync failing(dir.path(), "activity");
    spool = openSpool(smallOptions(dir.path(), &clock));
    CHECK(spool->stats().unsynced_segments >= 1);
  }
  const auto events = readAll(*spool, kActivityStream);
  REQUIRE(events.size() == 6);
  for (uint32_t i = 0; i < 6; ++i) CHECK(events[i].diagnostic().index() == i);
  CHECK(spool->stats().corrupt_records_skipped == 0);
}

}  // namespace
}  // namespace xiaoan::agent
