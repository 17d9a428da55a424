// ScanEngine: what it finds and how it reports it, on real trees with real rules.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <climits>
#include <condition_variable>
#include <cstdlib>

#include "agent/scan/path_text.h"
#include "common/crypto/ed25519.h"
#include "platform/unique_fd.h"
#include "tests/agent/scan/engine_test_util.h"

namespace xiaoan::agent::scan {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using xiaoan::testing::TempDir;
namespace fs = std::filesystem;

const std::string kMarker = "XIAOAN-TEST-MARKER";

TEST_CASE("detections: paths, rules, tags, SHA-256 and counts") {
  TempDir state, tree;
  fs::create_directories(tree.sub("a/b/downloads"));
  std::string hit = "junk " + kMarker + " junk";
  tree.write("a/hit.txt", hit);
  tree.write("a/b/clean.txt", "nothing");
  tree.write("a/b/tool.Exe", "MZ....");
  tree.write("a/b/downloads/seven.", "1234567");
  tree.write("many.txt", "MANY- MANY- MANY-");
  tree.write("few.txt", "MANY- MANY-");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto summary = runScan(*engine, request({tree.path()}), buildRules(kTestRules), obs);
  CHECK(summary.outcome() == v1::ScanSummaryEvent::OUTCOME_COMPLETED);
  CHECK(summary.files_scanned() == 6);
  CHECK(summary.detections() == 4);
  CHECK(summary.bytes_scanned() == hit.size() + 7 + 6 + 7 + 17 + 11);
  CHECK(summary.bundle_version() == 1);
  auto matched = obs.matched();
  CHECK(matched == std::map<std::string, std::set<std::string>>{
                       {tree.sub("a/hit.txt"), {"marker"}},
                       {tree.sub("a/b/tool.Exe"), {"exe_ext"}},
                       {tree.sub("a/b/downloads/seven."), {"in_downloads"}},
                       {tree.sub("many.txt"), {"many"}}});
  for (const Finding& f : obs.findings) {
    if (f.path != tree.sub("a/hit.txt")) continue;
    CHECK(f.size == hit.size());
    std::string digest = crypto::sha256(hit);
    CHECK(std::string(f.sha256.begin(), f.sha256.end()) == digest);
    REQUIRE(f.matches.size() == 1);
    CHECK(f.matches[0].tags == std::vector<std::string>{"test_tag"});
    CHECK(f.uid == ::getuid());
  }
}

TEST_CASE("owner is the file owner's user name") {
  TempDir state, tree;
  tree.write("f.txt", "x");
  std::string rule = "rule owned { condition: owner == \"" + ownerName(::getuid()) + "\" }";
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  runScan(*engine, request({tree.path()}), buildRules(rule), obs);
  CHECK(obs.findings.size() == 1);
}

TEST_CASE("large files: read, mapped and past the big-file threshold, match at the end") {
  TempDir state, tree;
  const uint64_t sizes[] = {(1u << 20) - 5, (2u << 20) + 3, (40u << 20) + 1};
  for (uint64_t size : sizes) {
    std::string path = tree.sub("f" + std::to_string(size));
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    REQUIRE(::ftruncate(fd.get(), static_cast<off_t>(size)) == 0);  // sparse zeros
    off_t at = static_cast<off_t>(size - kMarker.size());
    REQUIRE(::pwrite(fd.get(), kMarker.data(), kMarker.size(), at) ==
            static_cast<ssize_t>(kMarker.size()));
  }
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto summary = runScan(*engine, request({tree.path()}), buildRules(kTestRules), obs);
  CHECK(summary.files_scanned() == 3);
  CHECK(summary.detections() == 3);
}

TEST_CASE("each (device, inode) once: hard links, directory symlinks, nested roots") {
  TempDir state, tree;
  fs::create_directories(tree.sub("dir/sub"));
  tree.write("dir/sub/hit", kMarker);
  fs::create_hard_link(tree.sub("dir/sub/hit"), tree.sub("hit-link"));
  fs::create_directory_symlink(tree.sub("dir"), tree.sub("dir-link"));
  fs::create_directory_symlink(".", tree.sub("dir/loop"));
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto summary =
      runScan(*engine, request({tree.path(), tree.sub("dir")}), buildRules(kTestRules), obs);
  CHECK(summary.files_scanned() == 1);
  CHECK(summary.detections() == 1);
  CHECK(summary.skipped().duplicate() == 2);    // the hard link and the nested root
  CHECK(summary.skipped().not_regular() == 2);  // symlinks are not followed
}

TEST_CASE("non-UTF-8 names and paths beyond PATH_MAX are scanned and reported raw") {
  TempDir state, tree;
  std::string odd = "odd\xff\xfe.txt";
  tree.write(odd, kMarker);
  UniqueFd dir(::open(tree.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::string deep = tree.path();
  for (int i = 0; i < 22; ++i) {
    std::string name = std::string(200, 'x') + std::to_string(i);
    REQUIRE(::mkdirat(dir.get(), name.c_str(), 0700) == 0);
    dir.reset(::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    deep += "/" + name;
  }
  UniqueFd f(::openat(dir.get(), "deep.bin", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  REQUIRE(::write(f.get(), kMarker.data(), kMarker.size()) > 0);
  deep += "/deep.bin";
  REQUIRE(deep.size() > PATH_MAX);
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto summary = runScan(*engine, request({tree.path()}), buildRules(kTestRules), obs);
  auto matched = obs.matched();
  CHECK(matched.size() == 2);
  CHECK(matched.count(tree.path() + "/" + odd) == 1);
  CHECK(matched.count(deep) == 1);
  CHECK(summary.skipped().unreadable() == 0);
  REQUIRE(std::system(("rm -rf '" + tree.sub(std::string(200, 'x') + "0") + "'").c_str()) == 0);
}

// Holds the first file until the test has looked at the progress.
class GatePacer : public Pacer {
 public:
  bool beforeFile(uint64_t) override {
    std::unique_lock lock(mu_);
    if (!entered_) {
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return released_; });
    }
    return !stop_after_first_;
  }
  void waitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool stop_after_first_ = false;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, released_ = false;
};

TEST_CASE("progress is readable while a pass runs, the pacer is asked before each file") {
  TempDir state, tree;
  for (int i = 0; i < 5; ++i) tree.write("f" + std::to_string(i), "content");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  GatePacer pacer;
  ScanRequest req = request({tree.path()}, 1);
  v1::ScanSummaryEvent summary;
  std::thread scan([&] { summary = runScan(*engine, req, buildRules(kTestRules), obs, &pacer); });
  pacer.waitEntered();
  v1::ScanProgress p;
  CHECK(engine->progress("test-scan", &p));
  CHECK(p.scan_id() == "test-scan");
  CHECK(p.files_found() >= 1);
  CHECK(p.files_done() == 0);
  CHECK_FALSE(engine->progress("other", &p));
  pacer.release();
  scan.join();
  CHECK(summary.files_scanned() == 5);
  CHECK_FALSE(engine->progress("test-scan", &p));
}

TEST_CASE("a pacer that says stop interrupts the pass") {
  TempDir state, tree;
  for (int i = 0; i < 20; ++i) tree.write("f" + std::to_string(i), "content");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  GatePacer pacer;
  pacer.stop_after_first_ = true;
  pacer.release();
  auto summary = runScan(*engine, request({tree.path()}, 1), buildRules(kTestRules), obs, &pacer);
  CHECK(summary.outcome() == v1::ScanSummaryEvent::OUTCOME_INTERRUPTED);
  CHECK(summary.files_scanned() == 0);
}

TEST_CASE("a stop request interrupts the pass") {
  TempDir state, tree;
  tree.write("f", "content");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  std::atomic<bool> stop{true};
  auto summary = engine->run(request({tree.path()}), buildRules(kTestRules), obs, nullptr, stop);
  REQUIRE(summary.isOk());
  CHECK(summary->outcome() == v1::ScanSummaryEvent::OUTCOME_INTERRUPTED);
}

TEST_CASE("no rules, no roots and relative roots are refused") {
  TempDir state;
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  std::atomic<bool> stop{false};
  CHECK(engine->run(request({"/tmp"}), nullptr, obs, nullptr, stop).status().code() ==
        ErrorCode::kRulesMissing);
  CHECK(engine->run(request({}), buildRules(kTestRules), obs, nullptr, stop).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(engine->run(request({"rel"}), buildRules(kTestRules), obs, nullptr, stop).status().code() ==
        ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace xiaoan::agent::scan
