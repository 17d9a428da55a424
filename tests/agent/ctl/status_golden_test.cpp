// Golden files of `xiaoanctl status` (zh-CN text, English text, JSON) for the states a school
// admin meets: healthy, offline with backlog, daemon not running, not enrolled, signed metadata
// STALE with a rejected update. Each runs the whole command in-process against a fake daemon
// or a persisted status.pb.
#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include <memory>

#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

// Runs status in the three renderings, checks goldens and the exit code of each.
void checkAllRenderings(const CtlHarness& h, const std::string& name, int want_exit) {
  const RunResult zh = h.run({"status"});
  CHECK(zh.code == want_exit);
  checkGolden(name + ".zh.txt", zh.out);

  const RunResult en = h.run({"status", "--lang", "en"});
  CHECK(en.code == want_exit);
  checkGolden(name + ".en.txt", en.out);

  const RunResult json = h.run({"--json", "status"}, 1000);
  CHECK(json.code == want_exit);
  checkGolden(name + ".json", json.out);
  CHECK(json.out.find("null") == std::string::npos);
  v1::AgentStatus parsed;
  CHECK(google::protobuf::util::JsonStringToMessage(json.out, &parsed).ok());
}

std::unique_ptr<FakeDaemon> serving(const CtlHarness& h, const v1::AgentStatus& status) {
  return std::make_unique<FakeDaemon>(
      h.socketPath(), [status](const v1::ControlRequest&) { return statusAnswer(status); });
}

TEST_CASE("golden: healthy connected agent") {
  CtlHarness h;
  auto daemon = serving(h, healthyStatus());
  checkAllRenderings(h, "healthy", kExitHealthy);
}

TEST_CASE("golden: offline agent with E_COLLECTOR_UNREACHABLE and a backlog") {
  CtlHarness h;
  auto daemon = serving(h, offlineStatus());
  checkAllRenderings(h, "offline", kExitDegraded);
}

TEST_CASE("golden: daemon not running, status from the persisted file") {
  CtlHarness h;
  h.persist(lastPersistedStatus());
  checkAllRenderings(h, "not_running", kExitDaemonNotRunning);
}

TEST_CASE("golden: agent not enrolled") {
  CtlHarness h;
  auto daemon = serving(h, notEnrolledStatus());
  checkAllRenderings(h, "not_enrolled", kExitDegraded);
}

TEST_CASE("golden: signed metadata STALE and a rejected rollback") {
  CtlHarness h;
  auto daemon = serving(h, staleContentStatus());
  checkAllRenderings(h, "content_stale", kExitDegraded);
}

}  // namespace
}  // namespace xiaoan::ctl::testing
