// ScanEngine's result cache: unchanged clean files are not opened again, across restarts,
// until they change or the bundle does; matching files are always scanned again.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include "tests/agent/scan/engine_test_util.h"

namespace xiaoan::agent::scan {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using xiaoan::testing::TempDir;

struct CacheFixture {
  TempDir state, tree;
  std::shared_ptr<const sig::ScanRules> rules = buildRules(kTestRules, 7);
  CacheFixture() {
    for (int i = 0; i < 10; ++i) {
      tree.write("clean" + std::to_string(i), "clean file " + std::to_string(i));
      ageFile(tree.sub("clean" + std::to_string(i)), 100);
    }
    tree.write("hit", "XIAOAN-TEST-MARKER");
  }
  v1::ScanSummaryEvent scan(ScanEngine& engine, bool use_cache = true,
                            std::shared_ptr<const sig::ScanRules> with = nullptr) {
    ScanRequest req = request({tree.path()});
    req.use_cache = use_cache;
    RecordingObserver obs;
    auto s = runScan(engine, req, with ? with : rules, obs);
    CHECK(obs.findings.size() == 1);  // the hit is reported every time
    return s;
  }
};

TEST_CASE("a rescan of an unchanged tree opens only the file that matched") {
  CacheFixture f;
  auto engine = openEngine(f.state.path());
  auto first = f.scan(*engine);
  CHECK(first.files_scanned() == 11);
  CHECK(first.files_cached() == 0);
  auto second = f.scan(*engine);
  CHECK(second.files_scanned() == 1);
  CHECK(second.files_cached() == 10);
  CHECK(second.detections() == 1);
}

TEST_CASE("the cache persists across engine restarts") {
  CacheFixture f;
  f.scan(*openEngine(f.state.path()));
  auto engine = openEngine(f.state.path());
  auto s = f.scan(*engine);
  CHECK(s.files_cached() == 10);
}

TEST_CASE("a modified file, a new bundle version or use_cache=false scans again") {
  CacheFixture f;
  auto engine = openEngine(f.state.path());
  f.scan(*engine);
  f.tree.write("clean3", "changed content");
  auto touched = f.scan(*engine);
  CHECK(touched.files_scanned() == 2);
  CHECK(touched.files_cached() == 9);
  auto other_bundle = f.scan(*engine, true, buildRules(kTestRules, 8));
  CHECK(other_bundle.files_scanned() == 11);
  auto uncached = f.scan(*engine, false);
  CHECK(uncached.files_scanned() == 11);
  CHECK(uncached.files_cached() == 0);
}

TEST_CASE("a file that starts to match after a change is found") {
  CacheFixture f;
  auto engine = openEngine(f.state.path());
  f.scan(*engine);
  f.tree.write("clean5", "now with XIAOAN-TEST-MARKER inside");
  RecordingObserver obs;
  auto s = runScan(*engine, request({f.tree.path()}), f.rules, obs);
  CHECK(s.detections() == 2);
}

TEST_CASE("a damaged cache file is ignored and rebuilt") {
  CacheFixture f;
  f.scan(*openEngine(f.state.path()));
  std::string cache = f.state.sub("scan/cache.bin");
  int fd = ::open(cache.c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, "garbage!", 8, 20) == 8);
  ::close(fd);
  auto engine = openEngine(f.state.path());
  auto rebuilt = f.scan(*engine);
  CHECK(rebuilt.files_scanned() == 11);
  auto again = f.scan(*openEngine(f.state.path()));
  CHECK(again.files_cached() == 10);
}

}  // namespace
}  // namespace xiaoan::agent::scan
