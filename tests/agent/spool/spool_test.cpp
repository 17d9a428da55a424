#include "agent/spool/spool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/agent/spool/spool_test_util.h"

namespace xiaoan::agent {
namespace {

using testing::FakeClock;
using testing::mustAppend;
using testing::openSpool;
using testing::readAll;
using testing::segmentFiles;
using testing::smallOptions;
using testing::streamStats;
using testing::TempDir;
using testing::testEvent;

TEST_CASE("append assigns contiguous seqs per stream and one epoch per stream") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  for (uint32_t i = 0; i < 3; ++i) {
    auto sec = mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
    auto act = mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    CHECK(sec.stream == "security");
    CHECK(act.stream == "activity");
    CHECK(sec.seq == i + 1);
    CHECK(act.seq == i + 1);
    CHECK(sec.epoch != 0);
    CHECK(act.epoch != 0);
    CHECK(sec.epoch != act.epoch);
  }
  auto events = readAll(*spool, kActivityStream);
  REQUIRE(events.size() == 3);
  for (uint32_t i = 0; i < 3; ++i) {
    CHECK(events[i].seq() == i + 1);
    CHECK(events[i].stream() == "activity");
    CHECK(events[i].epoch() == streamStats(*spool, kActivityStream).epoch);
    CHECK(events[i].diagnostic().index() == i);
    CHECK(events[i].wall_time().seconds() == 1800000000);  // stamped from the clock
    CHECK(events[i].monotonic_ns() == clock.monotonicNs());
  }
}

TEST_CASE("append rejects an unspecified priority and oversized records without using a seq") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  auto bad = spool->append(testEvent(v1::PRIORITY_UNSPECIFIED, 0));
  REQUIRE_FALSE(bad.isOk());
  CHECK(bad.status().code() == ErrorCode::kInvalidArgument);
  auto big = spool->append(testEvent(v1::PRIORITY_ACTIVITY, 0, 1 << 20));
  REQUIRE_FALSE(big.isOk());
  CHECK(big.status().code() == ErrorCode::kTooLarge);
  // Just under the cap is fine, and gets its own segment.
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0, (1 << 20) - 64)).seq == 1);
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 1)).seq == 2);
  CHECK(readAll(*spool, kActivityStream).size() == 2);
}

TEST_CASE("append, readPending and ack across segment rolls") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  constexpr uint32_t kCount = 200;  // ~190 bytes each: about 10 segments of 4 KiB
  for (uint32_t i = 0; i < kCount; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  auto files = segmentFiles(dir.sub("activity"));
  CHECK(files.size() >= 8);
  for (const auto& f : files) CHECK(std::filesystem::file_size(f) <= 4096);

  auto all = readAll(*spool, kActivityStream);
  REQUIRE(all.size() == kCount);
  for (uint32_t i = 0; i < kCount; ++i) CHECK(all[i].seq() == i + 1);

  // Pipelined batches with after_seq.
  auto first = spool->readPending(kActivityStream, 50, 1 << 20, 0);
  REQUIRE(first.isOk());
  REQUIRE(first->size() == 50);
  auto second = spool->readPending(kActivityStream, 50, 1 << 20, first->back().seq());
  REQUIRE(second.isOk());
  CHECK(second->front().seq() == 51);

  uint64_t epoch = streamStats(*spool, kActivityStream).epoch;
  REQUIRE(spool->ack(kActivityStream, epoch, 120).isOk());
  auto st = streamStats(*spool, kActivityStream);
  CHECK(st.acked_seq == 120);
  CHECK(st.pending_records == kCount - 120);
  auto rest = spool->readPending(kActivityStream, 1000, 1 << 20);
  REQUIRE(rest.isOk());
  REQUIRE(rest->size() == kCount - 120);
  CHECK(rest->front().seq() == 121);
  CHECK(segmentFiles(dir.sub("activity")).size() < files.size());  // acked segments deleted
  CHECK(st.bytes < testing::segmentBytesOnDisk(dir.path()) + 1);
}

TEST_CASE("readPending honours max_bytes but returns at least one record") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  for (uint32_t i = 0; i < 10; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
  auto one = spool->readPending(kSecurityStream, 10, 1);
  REQUIRE(one.isOk());
  CHECK(one->size() == 1);
  size_t payload = one->front().ByteSizeLong();  // all records have the same size
  auto some = spool->readPending(kSecurityStream, 10, 600);
  REQUIRE(some.isOk());
  CHECK(some->size() == (600 + payload - 1) / payload);  // stops once 600 bytes are reached
  auto none = spool->readPending(kSecurityStream, 0, 1 << 20);
  REQUIRE(none.isOk());
  CHECK(none->empty());
  auto unknown = spool->readPending("nope", 10, 1 << 20);
  CHECK(unknown.status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("ack ignores other epochs and old seqs, clamps to the last seq and persists") {
  TempDir dir;
  FakeClock clock;
  uint64_t epoch = 0;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 5; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
    epoch = streamStats(*spool, kSecurityStream).epoch;
    REQUIRE(spool->ack(kSecurityStream, epoch + 1, 4).isOk());
    CHECK(streamStats(*spool, kSecurityStream).acked_seq == 0);
    REQUIRE(spool->ack(kSecurityStream, epoch, 2).isOk());
    REQUIRE(spool->ack(kSecurityStream, epoch, 1).isOk());
    CHECK(streamStats(*spool, kSecurityStream).acked_seq == 2);
    REQUIRE(spool->ack(kSecurityStream, epoch, 99).isOk());
    CHECK(streamStats(*spool, kSecurityStream).acked_seq == 5);
    CHECK(streamStats(*spool, kSecurityStream).pending_records == 0);
    CHECK(spool->ack("nope", epoch, 1).code() == ErrorCode::kInvalidArgument);
  }
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  auto st = streamStats(*spool, kSecurityStream);
  CHECK(st.epoch == epoch);
  CHECK(st.acked_seq == 5);
  CHECK(st.pending_records == 0);
  CHECK(readAll(*spool, kSecurityStream).empty());
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 9)).seq == 6);
}

TEST_CASE("reopen preserves seq, epoch, ack and pending records") {
  TempDir dir;
  FakeClock clock;
  SpoolStats before;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 30; ++i) {
      mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
      mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    }
    REQUIRE(spool->ack(kActivityStream, streamStats(*spool, kActivityStream).epoch, 7).isOk());
    before = spool->stats();
  }
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  SpoolStats after = spool->stats();
  REQUIRE(after.streams.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(after.streams[i].stream == before.streams[i].stream);
    CHECK(after.streams[i].epoch == before.streams[i].epoch);
    CHECK(after.streams[i].last_seq == 30);
    CHECK(after.streams[i].acked_seq == before.streams[i].acked_seq);
    CHECK(after.streams[i].pending_records == before.streams[i].pending_records);
    CHECK(after.streams[i].bytes == before.streams[i].bytes);
  }
  CHECK(after.streams[1].pending_records == 23);
  CHECK(after.corrupt_records_skipped == 0);
  CHECK(after.torn_bytes_truncated == 0);
  auto act = readAll(*spool, kActivityStream);
  REQUIRE(act.size() == 23);
  CHECK(act.front().seq() == 8);
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0)).seq == 31);
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 0)).seq == 31);
}

TEST_CASE("a second open of the same directory fails with E_ALREADY_RUNNING") {
  TempDir dir;
  FakeClock clock;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 0));
    auto second = Spool::open(smallOptions(dir.path(), &clock));
    REQUIRE_FALSE(second.isOk());
    CHECK(second.status().code() == ErrorCode::kAlreadyRunning);
    mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 1));  // the first one is unharmed
  }
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK(readAll(*spool, kSecurityStream).size() == 2);
}

TEST_CASE("invalid options are rejected") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), nullptr);
  CHECK(Spool::open(o).status().code() == ErrorCode::kInvalidArgument);
  o = smallOptions("", &clock);
  CHECK(Spool::open(o).status().code() == ErrorCode::kInvalidArgument);
  o = smallOptions(dir.path(), &clock);
  o.max_bytes = 100;
  CHECK(Spool::open(o).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("segments are kept to an eighth of a small cap") {
  TempDir dir;
  FakeClock clock;
  SpoolOptions o;  // default 4 MiB segments
  o.dir = dir.path();
  o.clock = &clock;
  o.max_bytes = 64 * 1024;
  auto spool = openSpool(o);
  for (uint32_t i = 0; i < 200; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  auto files = segmentFiles(dir.sub("activity"));
  CHECK(files.size() >= 4);
  for (const auto& f : files) CHECK(std::filesystem::file_size(f) <= 8 * 1024);
}

TEST_CASE("security is synced on append, activity by the group fsync thread") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), &clock);
  o.group_fsync_interval = std::chrono::milliseconds(30);
  auto spool = openSpool(o);
  mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 0));
  auto sec = streamStats(*spool, kSecurityStream);
  CHECK(sec.synced_seq == sec.last_seq);
  for (uint32_t i = 0; i < 5; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  CHECK(streamStats(*spool, kActivityStream).synced_seq < 5);  // not before the interval
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (streamStats(*spool, kActivityStream).synced_seq < 5 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(streamStats(*spool, kActivityStream).synced_seq == 5);
}

TEST_CASE("readPending syncs what it hands out; close does not wait for the interval") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), &clock);
  o.group_fsync_interval = std::chrono::hours(1);
  auto start = std::chrono::steady_clock::now();
  {
    auto spool = openSpool(o);
    mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0));
    CHECK(streamStats(*spool, kActivityStream).synced_seq == 0);
    auto got = spool->readPending(kActivityStream, 10, 1 << 20);
    REQUIRE(got.isOk());
    REQUIRE(got->size() == 1);
    CHECK(streamStats(*spool, kActivityStream).synced_seq == 1);
    mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 1));
    REQUIRE(spool->sync().isOk());
    CHECK(streamStats(*spool, kActivityStream).synced_seq == 2);
    mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 2));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  auto spool = openSpool(o);
  CHECK(readAll(*spool, kActivityStream).size() == 3);
}

TEST_CASE("stats: oldest pending follows acks, totals add up") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK_FALSE(streamStats(*spool, kActivityStream).oldest_pending.has_value());
  auto t0 = clock.now();
  mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0));
  clock.advance(std::chrono::seconds(10));
  mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 1));
  auto st = streamStats(*spool, kActivityStream);
  REQUIRE(st.oldest_pending.has_value());
  CHECK(*st.oldest_pending == t0);
  REQUIRE(spool->ack(kActivityStream, st.epoch, 1).isOk());
  st = streamStats(*spool, kActivityStream);
  REQUIRE(st.oldest_pending.has_value());
  CHECK(*st.oldest_pending == t0 + std::chrono::seconds(10));
  REQUIRE(spool->ack(kActivityStream, st.epoch, 2).isOk());
  CHECK_FALSE(streamStats(*spool, kActivityStream).oldest_pending.has_value());
  mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 2));
  CHECK(streamStats(*spool, kActivityStream).oldest_pending.has_value());

  SpoolStats all = spool->stats();
  REQUIRE(all.streams.size() == 2);
  CHECK(all.streams[0].stream == "security");
  CHECK(all.total_bytes == all.streams[0].bytes + all.streams[1].bytes);
  CHECK(all.total_bytes == testing::segmentBytesOnDisk(dir.path()));
  CHECK_FALSE(all.full);
}

TEST_CASE("concurrent appends, reads and acks keep seqs unique and contiguous") {
  TempDir dir;
  FakeClock clock;
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::atomic<bool> done{false};
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      auto prio = t % 2 ? v1::PRIORITY_ACTIVITY : v1::PRIORITY_SECURITY;
      for (int i = 0; i < kPerThread; ++i) {
        auto r = spool->append(testEvent(prio, static_cast<uint32_t>(i), 50));
        if (r.isOk()) seqs[t].push_back(r->seq);
      }
    });
  }
  std::thread uploader([&] {
    uint64_t epoch = streamStats(*spool, kActivityStream).epoch;
    while (!done) {
      auto batch = spool->readPending(kActivityStream, 100, 1 << 20);
      if (batch.isOk() && !batch->empty()) {
        (void)spool->ack(kActivityStream, epoch, batch->back().seq());
      }
      (void)spool->stats();
    }
  });
  for (auto& w : writers) w.join();
  done = true;
  uploader.join();
  std::set<uint64_t> security(seqs[0].begin(), seqs[0].end());
  security.insert(seqs[2].begin(), seqs[2].end());
  std::set<uint64_t> activity(seqs[1].begin(), seqs[1].end());
  activity.insert(seqs[3].begin(), seqs[3].end());
  REQUIRE(security.size() == 2 * kPerThread);
  REQUIRE(activity.size() == 2 * kPerThread);
  CHECK(*security.rbegin() == 2 * kPerThread);
  CHECK(*activity.rbegin() == 2 * kPerThread);
  CHECK(readAll(*spool, kSecurityStream).size() == 2 * kPerThread);
}

}  // namespace
}  // namespace xiaoan::agent
