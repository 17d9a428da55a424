// ScanEngine's crash markers and fault list: a file that crashed or hung the scanner is
// reported and then skipped, until it changes or the bundle does.

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/scan/crash_marker.h"
#include "agent/scan/file_reader.h"
#include "platform/file_util.h"
#include "platform/file_walker.h"
#include "tests/agent/scan/engine_test_util.h"

namespace xiaoan::agent::scan {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace)
using xiaoan::testing::TempDir;

// Leaves a crash marker for `path` the way a dying scan thread does: set, then the process
// ends without clearing or removing it.
void crashWhileScanning(const std::string& state, const std::string& path, uint64_t bundle) {
  REQUIRE(makeDirs(state + "/scan", 0700).isOk());
  struct stat sb {};
  REQUIRE(::stat(path.c_str(), &sb) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto marker = CrashMarker::create(state + "/scan/inflight.0.1");
    if (!marker.isOk()) ::_exit(2);
    InflightFile f{sb.st_dev,
                   sb.st_ino,
                   static_cast<uint64_t>(sb.st_size),
                   sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec,
                   bundle,
                   path};
    if (!marker->set(f).isOk()) ::_exit(3);
    ::_exit(0);  // no destructor: the marker stays, as after a crash
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

TEST_CASE("a crash marker left by a dead process becomes a fault, reported once, then skipped") {
  TempDir state, tree;
  tree.write("killer", "pretend this crashed libyara");
  tree.write("other", "XIAOAN-TEST-MARKER");
  crashWhileScanning(state.path(), tree.sub("killer"), 3);
  auto engine = openEngine(state.path());
  auto faults = engine->takeStartupFaults();
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].kind == v1::ScanFaultEvent::KIND_CRASH);
  CHECK(faults[0].path == tree.sub("killer"));
  CHECK(faults[0].size == 28);
  CHECK(engine->takeStartupFaults().empty());
  RecordingObserver obs;
  auto s = runScan(*engine, request({tree.path()}), buildRules(kTestRules, 3), obs);
  CHECK(s.skipped().faulted() == 1);
  CHECK(s.files_scanned() == 1);
  CHECK(s.detections() == 1);
  // A restart does not report it again and still skips it.
  auto restarted = openEngine(state.path());
  CHECK(restarted->takeStartupFaults().empty());
  auto again = runScan(*restarted, request({tree.path()}), buildRules(kTestRules, 3), obs);
  CHECK(again.skipped().faulted() == 1);
}

TEST_CASE("a faulted file is scanned again once it changed or the bundle changed") {
  TempDir state, tree;
  tree.write("killer", "pretend this crashed libyara");
  ageFile(tree.sub("killer"), 100);
  crashWhileScanning(state.path(), tree.sub("killer"), 3);
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  auto new_bundle = runScan(*engine, request({tree.path()}), buildRules(kTestRules, 4), obs);
  CHECK(new_bundle.skipped().faulted() == 0);
  CHECK(new_bundle.files_scanned() == 1);
  tree.write("killer", "different now");
  ScanRequest req = request({tree.path()});
  req.use_cache = false;
  auto changed = runScan(*engine, req, buildRules(kTestRules, 3), obs);
  CHECK(changed.skipped().faulted() == 0);
  CHECK(changed.files_scanned() == 1);
}

const char* kSlowRules = R"(
rule quadratic { condition: filesize > 60000 and for all i in (0..filesize-1) :
  (for all j in (0..filesize-1) : (uint8(i) != 0xFF or uint8(j) != 0xFE)) }
rule marker { strings: $m = "XIAOAN-TEST-MARKER" condition: $m }
)";

TEST_CASE("a timeout is a fault: reported, counted, and the file skipped next time") {
  TempDir state, tree;
  tree.write("slow.bin", std::string(64 * 1024, '\0'));
  tree.write("hit", "XIAOAN-TEST-MARKER");
  auto engine = openEngine(state.path());
  auto rules = buildRules(kSlowRules, 5);
  RecordingObserver obs;
  auto first = runScan(*engine, request({tree.path()}), rules, obs);
  CHECK(first.skipped().timeout() == 1);
  CHECK(first.detections() == 1);
  REQUIRE(obs.faults.size() == 1);
  CHECK(obs.faults[0].kind == v1::ScanFaultEvent::KIND_TIMEOUT);
  CHECK(obs.faults[0].path == tree.sub("slow.bin"));
  bool example = false;
  for (const auto& e : first.skipped_examples()) example |= e.reason() == "timeout";
  CHECK(example);
  RecordingObserver second_obs;
  auto second = runScan(*openEngine(state.path()), request({tree.path()}), rules, second_obs);
  CHECK(second.skipped().faulted() == 1);
  CHECK(second.skipped().timeout() == 0);
  CHECK(second_obs.faults.empty());
}

TEST_CASE("markers of a finished pass are removed") {
  TempDir state, tree;
  tree.write("f", "x");
  auto engine = openEngine(state.path());
  RecordingObserver obs;
  runScan(*engine, request({tree.path()}), buildRules(kTestRules), obs);
  for (const auto& e : std::filesystem::directory_iterator(state.sub("scan"))) {
    CHECK(e.path().filename().string().rfind("inflight.", 0) != 0);
  }
  CHECK(openEngine(state.path())->takeStartupFaults().empty());
}

}  // namespace
}  // namespace xiaoan::agent::scan
