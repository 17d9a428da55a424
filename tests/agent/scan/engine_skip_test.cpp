// ScanEngine: every file it does not scan is counted by reason, with examples.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/agent/scan/engine_test_util.h"
#include "tests/support/as_nobody.h"

namespace xiaoan::agent::scan {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

std::set<std::string> exampleReasons(const v1::ScanSummaryEvent& s) {
  std::set<std::string> out;
  for (const auto& e : s.skipped_examples()) out.insert(e.reason());
  return out;
}

TEST_CASE("too large, too deep, excluded and not regular files are counted") {
  TempDir state, tree;
  fs::create_directories(tree.sub("l1/l2/l3"));
  fs::create_directories(tree.sub("skipme"));
  tree.write("big.bin", std::string(100, 'b'));
  tree.write("small.txt", "s");
  tree.write("l1/l2/l3/deep1", "d");
  tree.write("l1/l2/l3/deep2", "d");
  tree.write("skipme/x", "x");
  tree.write("image.iso", "i");
  REQUIRE(::mkfifo(tree.sub("fifo").c_str(), 0600) == 0);
  fs::create_symlink(tree.sub("small.txt"), tree.sub("link"));
  ScanRequest req = request({tree.path()});
  req.max_file_bytes = 10;
  req.max_depth = 2;
  req.exclusions = {tree.sub("skipme"), "*.iso"};
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto s = runScan(*engine, req, buildRules(kTestRules), obs);
  CHECK(s.files_scanned() == 1);
  CHECK(s.skipped().too_large() == 1);
  CHECK(s.skipped().too_deep() == 2);
  CHECK(s.skipped().excluded() == 2);
  CHECK(s.skipped().not_regular() == 2);
  CHECK(exampleReasons(s) ==
        std::set<std::string>{"too_large", "too_deep", "excluded", "not_regular"});
  CHECK(s.skipped_examples_size() == 6);
}

TEST_CASE("at most 20 examples are kept, every skip is counted") {
  TempDir state, tree;
  for (int i = 0; i < 30; ++i) tree.write("big" + std::to_string(i), std::string(20, 'b'));
  ScanRequest req = request({tree.path()});
  req.max_file_bytes = 10;
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto s = runScan(*engine, req, buildRules(kTestRules), obs);
  CHECK(s.skipped().too_large() == 30);
  CHECK(s.skipped_examples_size() == 20);
}

// Grows every file of `dir` the first time it is asked, so files the walker has already
// opened no longer have the size the walk saw.
class GrowingPacer : public Pacer {
 public:
  explicit GrowingPacer(std::string dir) : dir_(std::move(dir)) {}
  bool beforeFile(uint64_t) override {
    if (std::exchange(done_, true)) return true;
    for (const auto& e : fs::directory_iterator(dir_)) {
      int fd = ::open(e.path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      REQUIRE(fd >= 0);
      REQUIRE(::write(fd, "+", 1) == 1);
      ::close(fd);
    }
    return true;
  }

 private:
  std::string dir_;
  bool done_ = false;
};

TEST_CASE("files that change between the walk and the scan are counted as vanished") {
  TempDir state, tree;
  for (int i = 0; i < 8; ++i) tree.write("f" + std::to_string(i), "content");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  GrowingPacer pacer(tree.path());
  auto s = runScan(*engine, request({tree.path()}, 1), buildRules(kTestRules), obs, &pacer);
  CHECK(s.skipped().vanished() >= 1);
  CHECK(s.files_scanned() + s.skipped().vanished() == 8);
  CHECK(exampleReasons(s).count("vanished") == 1);
}

// Scans `root` as nobody and returns "scanned unreadable other_errors".
std::string scanAsNobody(const std::string& state, const std::string& root) {
  return xiaoan::testing::runAsNobody([&] {
    auto engine = ScanEngine::open({state});
    if (!engine.isOk()) return engine.status().toString();
    RecordingObserver obs;
    std::atomic<bool> stop{false};
    auto s = (*engine)->run(request({root}), buildRules(kTestRules), obs, nullptr, stop);
    if (!s.isOk()) return s.status().toString();
    return std::to_string(s->files_scanned()) + " " + std::to_string(s->skipped().unreadable()) +
           " " + std::to_string(s->skipped().other_errors());
  });
}

TEST_CASE("unreadable files and directories are counted, never skipped silently") {
  TempDir tree;
  REQUIRE(::chmod(tree.path().c_str(), 0755) == 0);
  TempDir state;
  REQUIRE(::chmod(state.path().c_str(), 0777) == 0);
  fs::create_directories(tree.sub("closed"));
  tree.write("readable", "r");
  tree.write("secret", "s");
  tree.write("closed/inside", "i");
  REQUIRE(::chmod(tree.sub("readable").c_str(), 0644) == 0);
  REQUIRE(::chmod(tree.sub("secret").c_str(), 0000) == 0);
  REQUIRE(::chmod(tree.sub("closed").c_str(), 0000) == 0);
  CHECK(scanAsNobody(state.path(), tree.path()) == "1 1 1");
  REQUIRE(::chmod(tree.sub("closed").c_str(), 0700) == 0);
}

}  // namespace
}  // namespace xiaoan::agent::scan
