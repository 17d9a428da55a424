// The engine's state files on their own: result cache, fault list, crash markers.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent/scan/crash_marker.h"
#include "agent/scan/fault_list.h"
#include "agent/scan/result_cache.h"
#include "agent/scan/scan_externals.h"
#include "tests/support/temp_dir.h"

namespace xiaoan::agent::scan {
namespace {

using xiaoan::testing::TempDir;

FileStat stat(uint64_t ino, uint64_t size = 10, int64_t mtime = 1000, int64_t ctime = 2000) {
  FileStat st;
  st.dev = 42;
  st.ino = ino;
  st.size = size;
  st.mtime_ns = mtime;
  st.ctime_ns = ctime;
  return st;
}

TEST_CASE("result cache: hits need the same size, mtime, ctime and bundle") {
  TempDir dir;
  auto cache = ResultCache::load(dir.sub("cache.bin"), 100);
  cache->markClean(stat(1), 9);
  CHECK(cache->isClean(stat(1), 9));
  CHECK_FALSE(cache->isClean(stat(1), 10));
  CHECK_FALSE(cache->isClean(stat(1, 11), 9));
  CHECK_FALSE(cache->isClean(stat(1, 10, 1001), 9));
  CHECK_FALSE(cache->isClean(stat(1, 10, 1000, 2001), 9));
  CHECK_FALSE(cache->isClean(stat(2), 9));
  cache->forget(stat(1));
  CHECK_FALSE(cache->isClean(stat(1), 9));
}

TEST_CASE("result cache: saved, loaded, bounded, stale entries dropped") {
  TempDir dir;
  auto cache = ResultCache::load(dir.sub("cache.bin"), 50);
  cache->setToday(1000);
  for (uint64_t i = 0; i < 40; ++i) cache->markClean(stat(i), 1);
  cache->setToday(1200);  // the 40 are now 200 days old
  for (uint64_t i = 100; i < 130; ++i) cache->markClean(stat(i), 1);
  CHECK(cache->size() <= 50);
  CHECK(cache->isClean(stat(129), 1));  // the newest survive eviction
  REQUIRE(cache->save().isOk());
  auto loaded = ResultCache::load(dir.sub("cache.bin"), 50);
  CHECK_FALSE(loaded->loadedDamaged());
  CHECK(loaded->size() == 30);  // old entries were dropped at save
  CHECK(loaded->isClean(stat(100), 1));
}

TEST_CASE("result cache: a save with a minimum interval skips a recent write and stays due") {
  TempDir dir;
  auto cache = ResultCache::load(dir.sub("cache.bin"), 10);
  cache->markClean(stat(1), 1);
  REQUIRE(cache->save(std::chrono::seconds(300)).isOk());  // never written: written now
  CHECK(ResultCache::load(dir.sub("cache.bin"), 10)->size() == 1);
  cache->markClean(stat(2), 1);
  REQUIRE(cache->save(std::chrono::seconds(300)).isOk());  // written just now: skipped
  CHECK(ResultCache::load(dir.sub("cache.bin"), 10)->size() == 1);
  REQUIRE(cache->save().isOk());  // still due: a plain save writes it
  CHECK(ResultCache::load(dir.sub("cache.bin"), 10)->size() == 2);
}

TEST_CASE("result cache: a damaged or foreign file is ignored") {
  TempDir dir;
  dir.write("cache.bin", "not a cache at all");
  auto cache = ResultCache::load(dir.sub("cache.bin"), 10);
  CHECK(cache->loadedDamaged());
  CHECK(cache->size() == 0);
  cache->markClean(stat(1), 1);
  REQUIRE(cache->save().isOk());
  CHECK(ResultCache::load(dir.sub("cache.bin"), 10)->isClean(stat(1), 1));
  CHECK(ResultCache::load(dir.sub("cache.bin"), 0)->loadedDamaged());  // over the bound
}

TEST_CASE("fault list: matches the same file and bundle only, persists") {
  TempDir dir;
  auto faults = FaultList::load(dir.sub("faults.bin"));
  FaultRecord r{42, 1, 10, 1000, 3, v1::ScanFaultEvent::KIND_TIMEOUT, "/x/\xff"};
  REQUIRE(faults->add(r).isOk());
  CHECK(faults->contains(stat(1), 3));
  CHECK_FALSE(faults->contains(stat(1), 4));
  CHECK_FALSE(faults->contains(stat(1, 11), 3));
  CHECK_FALSE(faults->contains(stat(1, 10, 999), 3));
  auto loaded = FaultList::load(dir.sub("faults.bin"));
  CHECK(loaded->size() == 1);
  CHECK(loaded->contains(stat(1), 3));
  dir.write("faults.bin", "junk");
  CHECK(FaultList::load(dir.sub("faults.bin"))->size() == 0);
}

TEST_CASE("crash markers: set is read back, clear and removal leave nothing") {
  TempDir dir;
  {
    auto marker = CrashMarker::create(dir.sub("inflight.0.0"));
    REQUIRE(marker.isOk());
    REQUIRE(marker->set({1, 2, 3, 4, 5, std::string(300, 'p')}).isOk());
    REQUIRE(marker->set({1, 2, 3, 4, 5, "/short"}).isOk());  // a shorter record over a longer
    // Copy it as a crash would leave it.
    std::string copy = dir.sub("inflight.9.9");
    REQUIRE(std::system(("cp " + dir.sub("inflight.0.0") + " " + copy).c_str()) == 0);
    REQUIRE(marker->clear().isOk());
  }
  std::vector<InflightFile> left;
  auto take = [&](Status answer) {
    left.clear();
    takeLeftoverMarkers(dir.path(), [&](const InflightFile& f) {
      left.push_back(f);
      return answer;
    });
  };
  take(Status(ErrorCode::kIo, "disk full"));  // not recorded: the marker stays
  REQUIRE(left.size() == 1);
  take(Status::ok());
  REQUIRE(left.size() == 1);
  CHECK(left[0].path == "/short");
  CHECK(left[0].ino == 2);
  CHECK(left[0].bundle_version == 5);
  take(Status::ok());
  CHECK(left.empty());  // recorded: removed
}

TEST_CASE("extensions of file names") {
  CHECK(extensionOf("a.EXE") == "EXE");
  CHECK(extensionOf("archive.tar.gz") == "gz");
  CHECK(extensionOf(".bashrc").empty());
  CHECK(extensionOf("noext").empty());
  CHECK(extensionOf("trailing.").empty());
}

}  // namespace
}  // namespace xiaoan::agent::scan
