// xiaoanctl scan and quarantine in-process against a fake daemon: requests, progress, summary,
// exit codes, JSON.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <filesystem>

#include "agent/ctl/exit_code.h"
#include "agent/ctl/scan_text.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

v1::DetectionEvent detection(const std::string& path, const std::string& rule) {
  v1::DetectionEvent d;
  d.set_path(path);
  d.add_matches()->set_rule(rule);
  d.set_action(v1::DETECTION_ACTION_REPORTED);
  return d;
}

// A scan that runs for two polls, then ends with `detections` of the given files.
class FakeScan {
 public:
  explicit FakeScan(std::vector<v1::DetectionEvent> found = {},
                    v1::ScanSummaryEvent::Outcome outcome = v1::ScanSummaryEvent::OUTCOME_COMPLETED)
      : found_(std::move(found)), outcome_(outcome) {}

  std::optional<v1::ControlResponse> answer(const v1::ControlRequest& r) {
    v1::ControlResponse resp;
    auto* p = resp.mutable_scan();
    p->set_scan_id("a1b2c3d4e5f60718");
    p->set_kind(v1::SCAN_KIND_ON_DEMAND);
    if (r.has_start_scan()) return resp;
    if (++polls_ < 3) {
      p->set_files_done(100 * polls_);
      p->set_files_found(400);
      p->set_bytes_done(3 << 20);
      p->set_files_per_second(250);
      p->set_eta_seconds(2);
      return resp;
    }
    auto* s = p->mutable_summary();
    s->set_scan_id("a1b2c3d4e5f60718");
    s->set_kind(v1::SCAN_KIND_ON_DEMAND);
    s->set_outcome(outcome_);
    s->set_files_scanned(396);
    s->set_bytes_scanned(12 << 20);
    s->set_files_cached(1);
    s->mutable_skipped()->set_unreadable(2);
    s->mutable_skipped()->set_too_large(1);
    s->mutable_started_at()->set_seconds(100);
    s->mutable_finished_at()->set_seconds(102);
    s->set_detections(found_.size());
    p->set_detections(found_.size());
    for (const auto& d : found_) *p->add_detected() = d;
    return resp;
  }

 private:
  std::vector<v1::DetectionEvent> found_;
  v1::ScanSummaryEvent::Outcome outcome_;
  std::atomic<int> polls_{0};
};

std::unique_ptr<FakeDaemon> serve(const CtlHarness& h, FakeScan& scan) {
  return std::make_unique<FakeDaemon>(
      h.socketPath(), [&scan](const v1::ControlRequest& r) { return scan.answer(r); });
}

TEST_CASE("scan needs root and a path") {
  CtlHarness h;
  FakeScan scan;
  auto daemon = serve(h, scan);
  CHECK(h.run({"scan", "/home"}, 1000).code == kExitPermissionDenied);
  CHECK(h.run({"scan"}).code == kExitUsage);
  CHECK(daemon->requests().empty());
}

TEST_CASE("a clean scan: absolute paths sent, progress polled, summary printed, exit 0") {
  CtlHarness h;
  FakeScan scan;
  auto daemon = serve(h, scan);
  const RunResult r = h.run({"--lang", "en", "scan", "downloads", "/media/usb"});
  CHECK(r.code == kExitHealthy);
  const auto requests = daemon->requests();
  REQUIRE(requests.size() == 4);  // start, then three polls
  REQUIRE(requests[0].start_scan().paths_size() == 2);
  CHECK(requests[0].start_scan().paths(0) ==
        (std::filesystem::current_path() / "downloads").string());
  CHECK(requests[0].start_scan().paths(1) == "/media/usb");
  CHECK(requests[1].get_scan().scan_id() == "a1b2c3d4e5f60718");
  CHECK(contains(r.out, "scan completed (on-demand scan a1b2c3d4e5f60718)\n"));
  CHECK(contains(r.out, "  scanned: 396 files (12 MiB), in 2 s\n"));
  CHECK(contains(r.out, "  unchanged (cached): 1\n"));
  CHECK(contains(r.out, "  skipped: unreadable 2, too large 1\n"));
  CHECK(contains(r.out, "  detections: 0\n"));
  CHECK_FALSE(contains(r.out, "\r"));  // no progress line when not on a terminal
}

TEST_CASE("detections: paths and rules listed, exit 1; on a terminal a progress line") {
  CtlHarness h;
  h.setTty(true);
  FakeScan scan({detection("/home/t/下载/eicar.com", "EICAR_Test_File"),
                 detection("/var/www/x.php", "Webshell_PHP_Eval")});
  auto daemon = serve(h, scan);
  const RunResult r = h.run({"scan", "/home"});
  CHECK(r.code == kExitDegraded);
  CHECK(contains(r.out, "\r已检查 100 / 400 个文件，3 MiB，250 个/秒，预计还需 2 秒\033[K"));
  CHECK(contains(r.out, "扫描完成（手动扫描 a1b2c3d4e5f60718）\n"));
  CHECK(contains(r.out, "  检出：2\n"));
  CHECK(contains(r.out, "    /home/t/下载/eicar.com：EICAR_Test_File（仅上报）\n"));
  CHECK(contains(r.out, "    /var/www/x.php：Webshell_PHP_Eval（仅上报）\n"));
}

TEST_CASE("--json prints the final progress with its summary; exit codes still hold") {
  CtlHarness h;
  FakeScan scan({detection("/tmp/eicar.com", "EICAR_Test_File")});
  auto daemon = serve(h, scan);
  h.setTty(true);
  const RunResult r = h.run({"scan", "/tmp", "--json"});
  CHECK(r.code == kExitDegraded);
  CHECK(r.out.rfind("{", 0) == 0);  // JSON only, no progress line
  CHECK(contains(r.out, "\"outcome\": \"OUTCOME_COMPLETED\""));
  CHECK(contains(r.out, "\"path\": \"/tmp/eicar.com\""));
}

TEST_CASE("a failed or cancelled scan exits 5; a refusal is printed") {
  CtlHarness h;
  FakeScan scan({}, v1::ScanSummaryEvent::OUTCOME_CANCELLED);
  auto daemon = serve(h, scan);
  const RunResult r = h.run({"--lang", "en", "scan", "/srv"});
  CHECK(r.code == kExitFailure);
  CHECK(contains(r.out, "scan cancelled"));

  CtlHarness h2;
  FakeDaemon refusing(h2.socketPath(), [](const v1::ControlRequest&) {
    v1::ControlResponse resp;
    resp.mutable_error()->set_code("E_RULES_MISSING");
    resp.mutable_error()->set_message("no signature rules are loaded (yet)");
    return std::optional<v1::ControlResponse>(resp);
  });
  const RunResult refused = h2.run({"scan", "/srv"});
  CHECK(refused.code == kExitFailure);
  CHECK(contains(refused.err, "E_RULES_MISSING"));
}

v1::QuarantineEntry entry() {
  v1::QuarantineEntry e;
  e.set_id("0f1e2d3c4b5a6978");
  e.set_path("/home/t/Downloads/setup.exe");
  e.set_size(2048);
  e.mutable_quarantined_at()->set_seconds(kNow - 3600);
  e.add_matches()->set_rule("Miner_XMRig");
  return e;
}

TEST_CASE("interrupted (Ctrl-C), the scan is cancelled at the agent; its summary, exit 5") {
  CtlHarness h;
  std::atomic<int> polls{0};
  auto daemon = std::make_unique<FakeDaemon>(h.socketPath(), [&](const v1::ControlRequest& r) {
    v1::ControlResponse resp;
    auto* p = resp.mutable_scan();
    p->set_scan_id("a1b2c3d4e5f60718");
    if (r.has_start_scan()) return std::optional<v1::ControlResponse>(resp);
    if (r.has_cancel_scan()) {
      p->mutable_summary()->set_outcome(v1::ScanSummaryEvent::OUTCOME_CANCELLED);
    } else if (++polls == 1) {
      ::raise(SIGINT);  // the user presses Ctrl-C while the scan runs
    }
    return std::optional<v1::ControlResponse>(resp);
  });
  struct sigaction before {};
  ::sigaction(SIGINT, nullptr, &before);
  const RunResult r = h.run({"--lang", "en", "scan", "/home"});
  CHECK(r.code == kExitFailure);
  const auto requests = daemon->requests();
  REQUIRE(requests.size() == 3);  // start, one poll, then the cancel
  CHECK(requests[2].cancel_scan().scan_id() == "a1b2c3d4e5f60718");
  // The handler is gone with the command: SIGINT is back to what it was.
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  const bool restored = now.sa_handler == before.sa_handler;
  CHECK(restored);
}

TEST_CASE("quarantine list, restore --to and delete") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest& r) {
    v1::ControlResponse resp;
    if (r.has_quarantine_list()) {
      *resp.mutable_quarantine()->add_entries() = entry();
    } else {
      *resp.mutable_quarantine_entry() = entry();
    }
    return std::optional<v1::ControlResponse>(resp);
  });
  CHECK(h.run({"quarantine", "list"}, 1000).code == kExitPermissionDenied);
  const RunResult list = h.run({"--lang", "en", "quarantine", "list"});
  CHECK(list.code == kExitHealthy);
  CHECK(list.out ==
        "0f1e2d3c4b5a6978  /home/t/Downloads/setup.exe\n"
        "    quarantined 2026-11-21 13:03:05 (1 h ago), 2 KiB, rules: Miner_XMRig\n");
  const RunResult json = h.run({"quarantine", "list", "--json"});
  CHECK(contains(json.out, "\"id\": \"0f1e2d3c4b5a6978\""));

  const RunResult restore =
      h.run({"quarantine", "restore", "0f1e2d3c4b5a6978", "--to", "back.exe"});
  CHECK(restore.code == kExitHealthy);
  const std::string to = (std::filesystem::current_path() / "back.exe").string();
  CHECK(restore.out == "已恢复 0f1e2d3c4b5a6978 到 " + to + "\n");
  const RunResult del = h.run({"--lang", "en", "quarantine", "delete", "0f1e2d3c4b5a6978"});
  CHECK(del.out == "deleted 0f1e2d3c4b5a6978 (/home/t/Downloads/setup.exe) for good\n");
  CHECK(h.run({"quarantine", "delete"}).code == kExitUsage);
  const auto requests = daemon.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[2].quarantine_action().kind() == v1::QuarantineActionRequest::KIND_RESTORE);
  CHECK(requests[2].quarantine_action().restore_to() == to);
  CHECK(requests[3].quarantine_action().kind() == v1::QuarantineActionRequest::KIND_DELETE);
}

}  // namespace
}  // namespace xiaoan::ctl::testing

namespace xiaoan::ctl {
namespace {

std::string rowValue(const v1::ScanStatus& s, Lang lang, const std::string& key) {
  for (const auto& [k, v] : scanStatusRows(s, lang, 1'800'000'000)) {
    if (k == key) return v;
  }
  return "(missing)";
}

TEST_CASE("status shows the quarantine's use against its caps, in Chinese and English") {
  v1::ScanStatus s;
  s.set_quarantined(3);
  CHECK(rowValue(s, Lang::kZhCn, "隔离区") == "3 个文件");  // an agent that reports no caps
  s.set_quarantine_bytes(uint64_t{12} << 20);
  s.set_quarantine_max_files(1000);
  s.set_quarantine_max_bytes(uint64_t{1} << 30);
  CHECK(rowValue(s, Lang::kZhCn, "隔离区") == "3 个文件，12 MiB（上限 1000 个文件、1024 MiB）");
  CHECK(rowValue(s, Lang::kEn, "quarantined") == "3 files, 12 MiB (cap 1000 files, 1024 MiB)");
}

}  // namespace
}  // namespace xiaoan::ctl
