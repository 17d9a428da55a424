// Disk cap and full disks: RELIABILITY.md D3, D5 and I3 (every successful append is stored
// or counted in a gap record).
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <set>

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
