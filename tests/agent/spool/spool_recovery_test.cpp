// Recovery: torn tails, corrupt records, garbage files (RELIABILITY.md D2, D4; I4).
#include <doctest/doctest.h>

#include <filesystem>

#include "agent/spool/spool.h"
#include "tests/agent/spool/spool_test_util.h"

namespace xiaoan::agent {
namespace {

using testing::FakeClock;
using testing::mustAppend;
using testing::openSpool;
using testing::readAll;
using testing::readBytes;
using testing::segmentFiles;
using testing::smallOptions;
using testing::streamStats;
using testing::TempDir;
using testing::testEvent;
using testing::writeBytes;

namespace fs = std::filesystem;

// A spool dir whose activity stream holds `count` records in one segment; returns the file
// offsets where each record starts (plus the end).
std::vector<uint64_t> buildActivity(const std::string& dir, const Clock* clock, uint32_t count,
                                    uint64_t segment_bytes = 64 * 1024) {
  auto o = smallOptions(dir, clock);
  o.segment_bytes = segment_bytes;
  auto spool = openSpool(o);
  std::vector<uint64_t> offsets{0};
  for (uint32_t i = 0; i < count; ++i) {
    mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    offsets.push_back(streamStats(*spool, kActivityStream).bytes);
  }
  return offsets;
}

// Copies the spool dir `from` (without its LOCK) into a fresh dir `to`.
void copySpool(const std::string& from, const std::string& to) {
  for (const char* stream : {"security", "activity"}) {
    fs::create_directories(to + "/" + stream);
    for (const auto& e : fs::directory_iterator(from + "/" + stream)) {
      fs::copy_file(e.path(), to + "/" + stream + "/" + e.path().filename().string());
    }
  }
}

void expectSeqs(const std::vector<v1::Event>& events, const std::vector<uint64_t>& seqs) {
  REQUIRE(events.size() == seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) CHECK(events[i].seq() == seqs[i]);
}

TEST_CASE("a torn last record is truncated at every cut length; earlier records survive") {
  TempDir src;
  FakeClock clock;
  auto offsets = buildActivity(src.path(), &clock, 5);
  std::string seg_path = segmentFiles(src.sub("activity")).at(0);
  std::string full = readBytes(seg_path);
  uint64_t last_start = offsets[4];
  REQUIRE(full.size() == offsets[5]);
  for (uint64_t keep = 0; keep < offsets[5] - last_start; ++keep) {
    CAPTURE(keep);
    TempDir dir;
    copySpool(src.path(), dir.path());
    writeBytes(dir.sub("activity/") + fs::path(seg_path).filename().string(),
               full.substr(0, last_start + keep));
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    CHECK(spool->stats().torn_bytes_truncated == keep);
    CHECK(spool->stats().corrupt_records_skipped == 0);
    expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4});
    CHECK(fs::file_size(segmentFiles(dir.sub("activity")).at(0)) == last_start);
    CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 9)).seq == 5);
  }
}

TEST_CASE("a torn first record of the last segment removes just that segment") {
  TempDir src;
  FakeClock clock;
  // ~1.2 KiB records with 1 KiB segments: one record per segment.
  auto o = smallOptions(src.path(), &clock);
  o.segment_bytes = 1024;
  {
    auto spool = openSpool(o);
    for (uint32_t i = 0; i < 3; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i, 1200));
  }
  auto files = segmentFiles(src.sub("activity"));
  REQUIRE(files.size() == 3);
  std::string last = readBytes(files[2]);
  for (uint64_t keep = 1; keep < last.size(); keep += (keep < 40 ? 1 : 37)) {
    CAPTURE(keep);
    TempDir dir;
    copySpool(src.path(), dir.path());
    writeBytes(dir.sub("activity/") + fs::path(files[2]).filename().string(), last.substr(0, keep));
    o.dir = dir.path();
    auto spool = openSpool(o);
    CHECK(spool->stats().torn_bytes_truncated == keep);
    CHECK(spool->stats().bad_files_set_aside == 0);
    expectSeqs(readAll(*spool, kActivityStream), {1, 2});
    CHECK(segmentFiles(dir.sub("activity")).size() == 2);
    CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 9)).seq == 3);
  }
}

TEST_CASE("a damaged byte anywhere in a middle record skips only that record") {
  TempDir src;
  FakeClock clock;
  auto offsets = buildActivity(src.path(), &clock, 10);
  std::string seg_path = segmentFiles(src.sub("activity")).at(0);
  std::string name = fs::path(seg_path).filename().string();
  std::string full = readBytes(seg_path);
  for (uint64_t pos = offsets[4]; pos < offsets[5]; ++pos) {
    CAPTURE(pos - offsets[4]);
    TempDir dir;
    copySpool(src.path(), dir.path());
    std::string bad = full;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x20);
    writeBytes(dir.sub("activity/") + name, bad);
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    CHECK(spool->stats().corrupt_records_skipped == 1);
    CHECK(spool->stats().torn_bytes_truncated == 0);
    expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4, 6, 7, 8, 9, 10});
    CHECK(streamStats(*spool, kActivityStream).pending_records == 9);
    CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0)).seq == 11);
    // Appends go after the damaged record, which stays skipped after another reopen.
    spool.reset();
    spool = openSpool(smallOptions(dir.path(), &clock));
    expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4, 6, 7, 8, 9, 10, 11});
  }
}

TEST_CASE("damage across a record boundary counts both records it destroyed") {
  TempDir dir;
  FakeClock clock;
  auto offsets = buildActivity(dir.path(), &clock, 10);
  std::string seg = segmentFiles(dir.sub("activity")).at(0);
  std::string data = readBytes(seg);
  for (uint64_t i = offsets[5] - 4; i < offsets[5] + 4; ++i) data[i] = static_cast<char>(0xde);
  writeBytes(seg, data);
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK(spool->stats().corrupt_records_skipped == 2);
  expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4, 7, 8, 9, 10});
}

TEST_CASE("a middle segment that is lost entirely is set aside and its records counted") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), &clock);
  {
    auto spool = openSpool(o);
    for (uint32_t i = 0; i < 60; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  }
  auto files = segmentFiles(dir.sub("activity"));
  REQUIRE(files.size() >= 3);
  uint64_t first_of_second = std::stoull(fs::path(files[1]).stem().string());
  uint64_t first_of_third = std::stoull(fs::path(files[2]).stem().string());
  writeBytes(files[1], std::string(3000, '\x42'));
  auto spool = openSpool(o);
  CHECK(spool->stats().bad_files_set_aside == 1);
  CHECK(spool->stats().corrupt_records_skipped == first_of_third - first_of_second);
  CHECK(readAll(*spool, kActivityStream).size() == 60 - (first_of_third - first_of_second));
}

TEST_CASE("trailing garbage in an older segment is cut and counted, the rest kept") {
  TempDir dir;
  FakeClock clock;
  auto o = smallOptions(dir.path(), &clock);
  {
    auto spool = openSpool(o);
    for (uint32_t i = 0; i < 60; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
  }
  auto files = segmentFiles(dir.sub("activity"));
  REQUIRE(files.size() >= 3);
  std::string first = readBytes(files[0]);
  writeBytes(files[0], first + std::string(100, '\x5a'));
  auto spool = openSpool(o);
  CHECK(spool->stats().corrupt_records_skipped == 1);
  CHECK(spool->stats().torn_bytes_truncated == 0);
  CHECK(readAll(*spool, kActivityStream).size() == 60);
  CHECK(fs::file_size(files[0]) == first.size());
}

TEST_CASE("a garbage segment file is set aside and counted; the spool opens") {
  TempDir dir;
  FakeClock clock;
  buildActivity(dir.path(), &clock, 5);
  std::string garbage;
  for (int i = 0; i < 5000; ++i) garbage.push_back(static_cast<char>((i * 7919 + 13) % 251 + 1));
  std::string bad_name = dir.sub("activity/00000000000000000007.seg");
  writeBytes(bad_name, garbage);
  // Not even a regular file.
  fs::create_directory(dir.sub("security/00000000000000000001.seg"));
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  SpoolStats st = spool->stats();
  CHECK(st.bad_files_set_aside == 2);
  CHECK(fs::exists(bad_name + ".bad"));
  CHECK_FALSE(fs::exists(bad_name));
  expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4, 5});
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0)).seq == 6);
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 0)).seq == 1);
}

TEST_CASE("garbage EPOCH: the epoch is recovered from the records") {
  TempDir dir;
  FakeClock clock;
  uint64_t epoch = 0;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 3; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, i));
    epoch = streamStats(*spool, kActivityStream).epoch;
  }
  writeBytes(dir.sub("activity/EPOCH"), "not an epoch at all");
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    CHECK(spool->stats().bad_state_files == 1);
    CHECK(streamStats(*spool, kActivityStream).epoch == epoch);
    expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3});
  }
  auto spool = openSpool(smallOptions(dir.path(), &clock));  // rewritten: nothing to report
  CHECK(spool->stats().bad_state_files == 0);
  CHECK(streamStats(*spool, kActivityStream).epoch == epoch);
}

TEST_CASE("garbage EPOCH with nothing on disk starts a new epoch") {
  TempDir dir;
  FakeClock clock;
  uint64_t epoch = 0;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    epoch = streamStats(*spool, kSecurityStream).epoch;
  }
  writeBytes(dir.sub("security/EPOCH"), std::string(16, '\0'));
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK(spool->stats().bad_state_files == 1);
  CHECK(streamStats(*spool, kSecurityStream).epoch != epoch);
  CHECK(streamStats(*spool, kSecurityStream).epoch != 0);
}

TEST_CASE("garbage ACKED and STATS are treated as missing and counted") {
  TempDir dir;
  FakeClock clock;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 4; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
    REQUIRE(spool->ack(kSecurityStream, streamStats(*spool, kSecurityStream).epoch, 2).isOk());
  }
  writeBytes(dir.sub("security/ACKED"), "XAK1 but too short");
  writeBytes(dir.sub("security/STATS"), std::string(4096, 'S'));
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK(spool->stats().bad_state_files == 2);
  // Without a cursor the unacked records are sent again (the collector dedups).
  CHECK(streamStats(*spool, kSecurityStream).acked_seq == 0);
  expectSeqs(readAll(*spool, kSecurityStream), {1, 2, 3, 4});
}

TEST_CASE("an ACKED cursor ahead of the records keeps seqs from being reused") {
  TempDir dir;
  FakeClock clock;
  {
    auto spool = openSpool(smallOptions(dir.path(), &clock));
    for (uint32_t i = 0; i < 4; ++i) mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, i));
    REQUIRE(spool->ack(kSecurityStream, streamStats(*spool, kSecurityStream).epoch, 4).isOk());
  }
  for (const auto& f : segmentFiles(dir.sub("security"))) fs::remove(f);
  auto spool = openSpool(smallOptions(dir.path(), &clock));
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_SECURITY, 0)).seq == 5);
}

TEST_CASE("records of another stream or epoch are rejected as corrupt") {
  TempDir a;
  TempDir b;
  FakeClock clock;
  buildActivity(a.path(), &clock, 3);
  buildActivity(b.path(), &clock, 3);  // different epoch
  auto seg_a = segmentFiles(a.sub("activity")).at(0);
  auto seg_b = segmentFiles(b.sub("activity")).at(0);
  // b's records 1..3 appended into a's segment: same seqs, foreign epoch.
  writeBytes(seg_a, readBytes(seg_a) + readBytes(seg_b));
  // And a's segment copied into the security stream: wrong stream name.
  fs::copy_file(seg_a, b.sub("security/") + fs::path(seg_a).filename().string());
  auto spool = openSpool(smallOptions(a.path(), &clock));
  CHECK(spool->stats().corrupt_records_skipped == 3);
  expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3});
  CHECK(mustAppend(*spool, testEvent(v1::PRIORITY_ACTIVITY, 0)).seq == 4);
  expectSeqs(readAll(*spool, kActivityStream), {1, 2, 3, 4});
  spool.reset();
  auto other = openSpool(smallOptions(b.path(), &clock));
  CHECK(other->stats().bad_files_set_aside == 1);
  CHECK(readAll(*other, kSecurityStream).empty());
}

}  // namespace
}  // namespace xiaoan::agent
