// Where `xiaoanctl status` gets its status: the daemon, else <state_dir>/status.pb.
#include "agent/ctl/status_source.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void writeRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::unique_ptr<FakeDaemon> answering(const CtlHarness& h, v1::ControlResponse response) {
  return std::make_unique<FakeDaemon>(h.socketPath(), [response](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(response);
  });
}

TEST_CASE("the daemon is asked with get_status and its answer is marked running") {
  CtlHarness h;
  v1::AgentStatus s = healthyStatus();
  s.set_daemon_running(false);  // whatever it says: it answered, so it runs
  FakeDaemon daemon(h.socketPath(), [s](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(statusAnswer(s));
  });
  auto lookup = lookupStatus(h.socketPath(), h.stateDir(), std::chrono::seconds(2));
  REQUIRE(lookup.isOk());
  REQUIRE(lookup->status.has_value());
  CHECK(lookup->status->daemon_running());
  CHECK(lookup->daemon_problem.isOk());
  REQUIRE(daemon.requests().size() == 1);
  CHECK(daemon.requests()[0].has_get_status());
}

TEST_CASE("a hung daemon times out and the persisted status is shown") {
  CtlHarness h;
  auto hung = listenWithoutAnswering(h.socketPath());
  h.persist(lastPersistedStatus());
  const RunResult r = h.run({"status"});
  CHECK(r.code == kExitDaemonNotRunning);
  CHECK(r.out.rfind("代理服务未运行：以下为最后保存的状态", 0) == 0);
  CHECK(contains(r.err, "E_TIMEOUT"));
}

TEST_CASE("neither daemon nor persisted status: say so, exit 3") {
  CtlHarness h;
  const RunResult zh = h.run({"status"});
  CHECK(zh.code == kExitDaemonNotRunning);
  CHECK(
      contains(zh.out, "代理服务未运行，也没有找到已保存的状态（" + h.stateDir() + "/status.pb）"));
  CHECK(contains(zh.out, "E_NOT_FOUND"));
  const RunResult en = h.run({"status", "--lang", "en"});
  CHECK(contains(en.out, "agent is not running and no saved state was found"));
  const RunResult json = h.run({"status", "--json"});
  CHECK(json.code == kExitDaemonNotRunning);
  CHECK(json.out.empty());  // no half-made JSON for scripts to misread
  CHECK(contains(json.err, "E_DAEMON_NOT_RUNNING"));
}

TEST_CASE("a damaged persisted status is reported, never shown") {
  CtlHarness h;
  const std::string path = h.stateDir() + "/status.pb";
  SUBCASE("garbage") {
    writeRaw(path, "\xff\xff\xff\xff garbage");
    const RunResult r = h.run({"status"});
    CHECK(r.code == kExitDaemonNotRunning);
    CHECK(contains(r.out, "E_PROTOCOL"));
  }
  SUBCASE("a time no renderer can show") {
    v1::AgentStatus s = lastPersistedStatus();
    s.mutable_last_checkin()->set_seconds(INT64_MAX);
    h.persist(s);
    const RunResult r = h.run({"status", "--json"});
    CHECK(r.code == kExitDaemonNotRunning);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "invalid time"));
  }
  SUBCASE("larger than 1 MiB") {
    writeRaw(path, std::string(1024 * 1024 + 1, '\0'));
    const RunResult r = h.run({"status"});
    CHECK(r.code == kExitDaemonNotRunning);
    CHECK(contains(r.out, "E_TOO_LARGE"));
  }
}

TEST_CASE("a running daemon that answers badly is a failure, not 'not running'") {
  CtlHarness h;
  h.persist(lastPersistedStatus());  // must not be used: the daemon is there
  SUBCASE("an error answer") {
    v1::ControlResponse resp;
    resp.mutable_error()->set_code("E_INTERNAL");
    resp.mutable_error()->set_message("status unavailable");
    auto d = answering(h, resp);
    const RunResult r = h.run({"status"});
    CHECK(r.code == kExitFailure);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "status unavailable"));
  }
  SUBCASE("an answer without a status") {
    auto d = answering(h, v1::ControlResponse());
    const RunResult r = h.run({"status"});
    CHECK(r.code == kExitFailure);
    CHECK(contains(r.err, "E_PROTOCOL"));
  }
  SUBCASE("a status with an impossible time") {
    v1::AgentStatus s = healthyStatus();
    s.mutable_generated_at()->set_nanos(-1);
    auto d = answering(h, statusAnswer(s));
    const RunResult r = h.run({"status", "--json"});
    CHECK(r.code == kExitFailure);
    CHECK(r.out.empty());
  }
}

TEST_CASE("a socket the user may not open is permission denied (exit 4)") {
  CtlHarness h;  // its temp dir is 0700 root: nobody cannot reach the socket inside
  auto daemon = answering(h, statusAnswer(healthyStatus()));
  if (::geteuid() != 0) return;  // needs root to become nobody
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    auto lookup = lookupStatus(h.socketPath(), h.stateDir(), std::chrono::seconds(1));
    ::_exit(lookup.isOk() ? 101 : exitCodeFor(lookup.status()));
  }
  int ws = 0;
  REQUIRE(::waitpid(pid, &ws, 0) == pid);
  REQUIRE(WIFEXITED(ws));
  CHECK(WEXITSTATUS(ws) == kExitPermissionDenied);
}

TEST_CASE("validateStatus accepts the range protobuf's JSON mapping can print") {
  v1::AgentStatus s = healthyStatus();
  CHECK(validateStatus(s).isOk());
  s.mutable_started_at()->set_seconds(253402300799);
  CHECK(validateStatus(s).isOk());
  s.mutable_started_at()->set_seconds(253402300800);
  CHECK(validateStatus(s).code() == ErrorCode::kProtocol);
  s = healthyStatus();
  s.mutable_spool(0)->mutable_oldest_pending()->set_nanos(1'000'000'000);
  CHECK(validateStatus(s).code() == ErrorCode::kProtocol);
}

}  // namespace
}  // namespace xiaoan::ctl::testing
