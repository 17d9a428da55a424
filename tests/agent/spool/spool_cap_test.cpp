// Disk cap and full disks: RELIABILITY.md D3, D5 and I3 (every successful append is stored
// or counted in a gap record).
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "agent/spool/spool.h"
#include "agent/spool/spool_meta.h"
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

constexpr uint64_t kCap = 64 * 1024;

SpoolOptions capOptions(const std::string& dir, const Clock* clock) {
  auto o = smallOptions(dir, clock);
  o.max_bytes = kCap;
  o.segment_bytes = 8 * 1024;
  return o;
}

// What the activity stream holds: surviving data records and gap records.
struct ActivityView {
  std::vector<uint32_t> data_indices;  // diagnostic.index of surviving records, in seq order
  std::set<uint64_t> seqs;
  uint64_t gap_count_sum = 0;
  std::vector<std::pair<uint64_t, uint64_t>> gap_ranges;
};

ActivityView viewOf(const std::vector<v1::Event>& events, uint64_t epoch) {
  ActivityView v;
  for (const auto& e : events) {
    v.seqs.insert(e.seq());
    if (e.has_gap()) {
      CHECK(e.gap().stream() == "activity");
      CHECK(e.gap().epoch() == epoch);
      CHECK(e.gap().reason() == "disk_cap");
      CHECK(e.gap().first_seq() <= e.gap().last_seq());
      CHECK(e.gap().last_seq() < e.seq());
      v.gap_count_sum += e.gap().count();
      v.gap_ranges.emplace_back(e.gap().first_seq(), e.gap().last_seq());
    } else {
      v.data_indices.push_back(e.diagnostic().index());
    }
  }
  return v;
}

// Every seq in (after, last] that is not readable lies inside a reported gap range.
void checkGapsCoverHoles(const ActivityView& v, uint64_t after, uint64_t last) {
  for (uint64_t seq = after + 1; seq <= last; ++seq) {
    if (v.seqs.count(seq)) continue;
    bool covered = false;
    for (const auto& [first, end] : v.gap_ranges) covered |= first <= seq && seq <= end;
    CHECK_MESSAGE(covered, "seq " << seq << " missing without a gap");
  }
}

TEST_CASE("3x the cap of activity with nothing acked: disk <= cap, gaps count every drop") {
  TempDir dir;
  FakeClock clock;
  constexpr uint32_t kCount = 1000;  // ~215 bytes each: about 3.3x the cap
  uint64_t epoch = 0;
  {
    auto spool = openSpool(capOptions(dir.path(), &clock));
    epoch = streamStats(*spool, kActivityStream).epoch;
    for (uint32_t i = 0; i < kCount; ++i) {
      mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
      REQUIRE(spool->stats().total_bytes <= kCap);
      if (i % 50 == 0) REQUIRE(testing::segmentBytesOnDisk(dir.path()) <= kCap);
    }
    CHECK(spool->stats().full);
  }
  auto spool = openSpool(capOptions(dir.path(), &clock));
  CHECK(testing::segmentBytesOnDisk(dir.path()) <= kCap);
  auto st = streamStats(*spool, kActivityStream);
  ActivityView v = viewOf(readAll(*spool, kActivityStream), epoch);
  uint64_t dropped = kCount - v.data_indices.size();
  CHECK(dropped > kCount / 2);
  CHECK(v.gap_count_sum == dropped);
  CHECK(st.dropped_records == dropped);  // persisted across the reopen
  CHECK(st.pending_records == v.seqs.size());
  checkGapsCoverHoles(v, 0, st.last_seq);
  // Oldest first: the survivors are the newest records, without holes among them.
  REQUIRE_FALSE(v.data_indices.empty());
  CHECK(v.data_indices.back() == kCount - 1);
  for (size_t i = 1; i < v.data_indices.size(); ++i) {
    CHECK(v.data_indices[i] == v.data_indices[i - 1] + 1);
  }
}

TEST_CASE("cap with an uploader acking part of the way: acked + stored + gaps == appended") {
  TempDir dir;
  FakeClock clock;
  constexpr uint32_t kCount = 1500;
  auto spool = openSpool(capOptions(dir.path(), &clock));
  uint64_t epoch = streamStats(*spool, kActivityStream).epoch;
  uint64_t acked_data = 0;
  uint64_t acked_gap_counts = 0;
  for (uint32_t i = 0; i < kCount; ++i) {
    mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    if (i % 100 != 99) continue;
    auto batch = spool->readPending(kActivityStream, 40, 1 << 20);
    REQUIRE(batch.isOk());
    for (const auto& e : *batch) {
      if (e.has_gap()) {
        acked_gap_counts += e.gap().count();
      } else {
        ++acked_data;
      }
    }
    if (!batch->empty()) REQUIRE(spool->ack(kActivityStream, epoch, batch->back().seq()).isOk());
    REQUIRE(spool->stats().total_bytes <= kCap);
  }
  auto st = streamStats(*spool, kActivityStream);
  ActivityView v = viewOf(readAll(*spool, kActivityStream), epoch);
  CHECK(acked_data + v.data_indices.size() + acked_gap_counts + v.gap_count_sum == kCount);
  CHECK(st.dropped_records == acked_gap_counts + v.gap_count_sum);
  CHECK(st.dropped_records > 0);
  checkGapsCoverHoles(v, st.acked_seq, st.last_seq);
}

TEST_CASE("security is never dropped under cap pressure; activity gets E_SPOOL_FULL") {
  TempDir dir;
  FakeClock clock;
  constexpr uint32_t kCount = 600;  // security alone: ~2x the cap
  auto spool = openSpool(capOptions(dir.path(), &clock));
  uint64_t epoch = streamStats(*spool, kActivityStream).epoch;
  uint64_t activity_ok = 0;
  uint64_t activity_full = 0;
  for (uint32_t i = 0; i < kCount; ++i) {
    CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i)).seq == i + 1);
    auto r = spool->append(testEvent(v1::PRIORITY_ACTIVITY, i));
    if (r.isOk()) {
      ++activity_ok;
    } else {
      REQUIRE(r.status().code() == ErrorCode::kSpoolFull);
      ++activity_full;
    }
  }
  CHECK(activity_full > 0);
  SpoolStats st = spool->stats();
  CHECK(st.full);
  CHECK(st.streams[0].bytes > kCap);  // the cap is soft for security
  CHECK(st.streams[1].bytes <= 512);  // activity holds at most its gap record
  auto security = readAll(*spool, kSecurityStream);
  REQUIRE(security.size() == kCount);
  for (uint32_t i = 0; i < kCount; ++i) CHECK(security[i].diagnostic().index() == i);
  spool.reset();
  spool = openSpool(capOptions(dir.path(), &clock));
  ActivityView v = viewOf(readAll(*spool, kActivityStream), epoch);
  CHECK(v.data_indices.size() + v.gap_count_sum == activity_ok);
  CHECK(readAll(*spool, kSecurityStream).size() == kCount);
}

// A spool just below the cap whose STATS says an eviction of the first activity segment was
// under way when the process died (its intent persisted, the delete maybe not).
struct InterruptedEviction {
  uint64_t appended = 250;  // ~53 KB: below the cap, no eviction yet
  uint64_t first_segment_last = 0;
  std::string first_segment;
};

InterruptedEviction buildInterruptedEviction(const std::string& dir, const Clock* clock) {
  InterruptedEviction out;
  {
    auto spool = openSpool(capOptions(dir, clock));
    for (uint32_t i = 0; i < out.appended; ++i) {
      mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    }
    REQUIRE(streamStats(*spool, kActivityStream).dropped_records == 0);
  }
  auto files = testing::segmentFiles(dir + "/activity");
  REQUIRE(files.size() >= 2);
  out.first_segment = files[0];
  out.first_segment_last = std::stoull(std::filesystem::path(files[1]).stem().string()) - 1;
  StreamCounters counters;
  counters.dropped_records = out.first_segment_last;
  counters.pending_gap =
      PendingGap{1, out.first_segment_last, out.first_segment_last, out.appended};
  REQUIRE(storeStats(dir + "/activity/STATS", counters).isOk());
  return out;
}

void expectOneGapFor(const std::string& dir, const Clock* clock, const InterruptedEviction& ev) {
  auto spool = openSpool(capOptions(dir, clock));
  CHECK_FALSE(std::filesystem::exists(ev.first_segment));
  auto st = streamStats(*spool, kActivityStream);
  ActivityView v = viewOf(readAll(*spool, kActivityStream), st.epoch);
  REQUIRE(v.gap_ranges.size() == 1);
  CHECK(v.gap_ranges[0] == std::make_pair(uint64_t{1}, ev.first_segment_last));
  CHECK(v.gap_count_sum == ev.first_segment_last);
  CHECK(v.data_indices.size() + v.gap_count_sum == ev.appended);
  CHECK(st.dropped_records == ev.first_segment_last);
}

TEST_CASE("an eviction interrupted before its delete is finished on open, with its gap") {
  TempDir dir;
  FakeClock clock;
  auto ev = buildInterruptedEviction(dir.path(), &clock);
  expectOneGapFor(dir.path(), &clock, ev);
  expectOneGapFor(dir.path(), &clock, ev);  // and only once
}

TEST_CASE("an eviction interrupted after its delete gets its gap record on open") {
  TempDir dir;
  FakeClock clock;
  auto ev = buildInterruptedEviction(dir.path(), &clock);
  std::filesystem::remove(ev.first_segment);
  expectOneGapFor(dir.path(), &clock, ev);
  expectOneGapFor(dir.path(), &clock, ev);
}

TEST_CASE("a gap record written just before a crash is not written twice") {
  TempDir dir;
  FakeClock clock;
  auto ev = buildInterruptedEviction(dir.path(), &clock);
  StreamCounters pending = loadStats(dir.sub("activity/STATS")).value.value();
  expectOneGapFor(dir.path(), &clock, ev);
  // As if the process died after writing the gap record but before clearing STATS.
  REQUIRE(storeStats(dir.sub("activity/STATS"), pending).isOk());
  expectOneGapFor(dir.path(), &clock, ev);
  CHECK_FALSE(loadStats(dir.sub("activity/STATS")).value->pending_gap.has_value());
}

// A small tmpfs mounted for one test (needs root); unmounted at the end.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& path) : path_(path) {
    if (::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=2m,mode=0700") == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string error_;
};

TEST_CASE("ENOSPC on a full tmpfs: activity dropped with gaps, security kept, reopen works") {
  TempDir dir;
  SmallTmpfs fs(dir.path());
  if (!fs.mounted()) {
    MESSAGE("skipping ENOSPC test: cannot mount tmpfs (" << fs.error() << "); needs root");
    return;
  }
  FakeClock clock;
  auto o = smallOptions(dir.sub("spool"), &clock);
  o.segment_bytes = 64 * 1024;  // the 64 MiB cap is never reached: the disk fills first
  uint64_t activity_ok = 0;
  uint64_t activity_full = 0;
  uint64_t epoch = 0;
  {
    auto spool = openSpool(o);
    epoch = streamStats(*spool, kActivityStream).epoch;
    for (uint32_t i = 0; i < 50; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
    for (uint32_t i = 0; i < 30000; ++i) {  // ~6 MB into 2 MB
      auto r = spool->append(testEvent(v1::PRIORITY_ACTIVITY, i));
      if (r.isOk()) {
        ++activity_ok;
      } else {
        REQUIRE_MESSAGE(r.status().code() == ErrorCode::kSpoolFull, r.status().toString());
        ++activity_full;
      }
    }
    CHECK(streamStats(*spool, kActivityStream).dropped_records > 0);
    CHECK(readAll(*spool, kSecurityStream).size() == 50);
  }
  MESSAGE("activity appends: " << activity_ok << " ok, " << activity_full << " E_SPOOL_FULL");
  uint64_t security_ok = 50;
  {
    auto spool = openSpool(o);
    ActivityView v = viewOf(readAll(*spool, kActivityStream), epoch);
    CHECK(v.data_indices.size() + v.gap_count_sum == activity_ok);
    checkGapsCoverHoles(v, 0, streamStats(*spool, kActivityStream).last_seq);
    // Now security fills the disk: all activity goes first, then E_SPOOL_FULL.
    bool full = false;
    for (uint32_t i = 0; i < 20000 && !full; ++i) {
      auto r = spool->append(testEvent(v1::PRIORITY_SECURITY, 1000 + i));
      if (r.isOk()) {
        ++security_ok;
      } else {
        CHECK(r.status().code() == ErrorCode::kSpoolFull);
        full = true;
      }
    }
    CHECK(full);
    CHECK(spool->stats().full);
    CHECK(readAll(*spool, kSecurityStream).size() == security_ok);
  }
  auto spool = openSpool(o);
  CHECK(readAll(*spool, kSecurityStream).size() == security_ok);
  CHECK(spool->stats().torn_bytes_truncated == 0);
  CHECK(spool->stats().corrupt_records_skipped == 0);
}

}  // namespace
}  // namespace xiaoan::agent
