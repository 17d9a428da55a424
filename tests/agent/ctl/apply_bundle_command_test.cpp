// xiaoanctl apply-bundle in-process against a fake daemon.
#include <doctest/doctest.h>

#include <filesystem>

#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

v1::ControlResponse appliedAnswer(bool changed) {
  v1::ControlResponse resp;
  auto* a = resp.mutable_apply_bundle();
  a->set_root_version(2);
  a->set_policy_version(9);
  a->set_changed(changed);
  a->add_waived("timestamp v7 expired at 2026-11-01T00:00:00Z");
  return resp;
}

TEST_CASE("apply-bundle needs root and a file, and never reaches the daemon otherwise") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(appliedAnswer(true));
  });
  const RunResult user = h.run({"apply-bundle", "/media/usb/bundle.pb"}, 1000);
  CHECK(user.code == kExitPermissionDenied);
  CHECK(contains(user.err, "E_PERMISSION_DENIED"));
  const RunResult none = h.run({"apply-bundle"});
  CHECK(none.code == kExitUsage);
  CHECK(contains(none.err, "E_INVALID_ARGUMENT"));
  CHECK(h.run({"apply-bundle", "a.pb", "b.pb"}).code == kExitUsage);
  CHECK(daemon.requests().empty());
}

TEST_CASE("apply-bundle sends an absolute path and prints what changed") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest& r) {
    return std::optional<v1::ControlResponse>(
        appliedAnswer(r.apply_bundle().path() != "/media/usb/old.pb"));
  });
  const RunResult zh = h.run({"apply-bundle", "bundle.pb"});
  CHECK(zh.code == kExitHealthy);
  CHECK(zh.out ==
        "已应用离线包：根元数据 v2，策略 v9\n离线应用时放宽的时效检查：\n"
        "  timestamp v7 expired at 2026-11-01T00:00:00Z\n");
  const RunResult en = h.run({"--lang", "en", "apply-bundle", "/media/usb/old.pb"});
  CHECK(en.code == kExitHealthy);
  CHECK(contains(en.out, "nothing newer in the bundle (root v2, policy v9)\n"));
  const auto requests = daemon.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].apply_bundle().path() ==
        (std::filesystem::current_path() / "bundle.pb").string());
  CHECK(requests[1].apply_bundle().path() == "/media/usb/old.pb");

  const RunResult json = h.run({"apply-bundle", "/media/usb/old.pb", "--json"});
  CHECK(json.code == kExitHealthy);
  CHECK(contains(json.out, "\"policy_version\": \"9\""));
  CHECK(contains(json.out, "\"waived\": ["));
}

TEST_CASE("a rejected bundle is a clear error and exit 5") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
    v1::ControlResponse resp;
    resp.mutable_error()->set_code("E_META_SIGNATURE");
    resp.mutable_error()->set_message("timestamp: 0 of 1 required signatures");
    return std::optional<v1::ControlResponse>(resp);
  });
  const RunResult r = h.run({"--lang", "en", "apply-bundle", "/media/usb/forged.pb"});
  CHECK(r.code == kExitFailure);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "E_META_SIGNATURE: "));
  CHECK(contains(r.err, "0 of 1 required signatures"));
}

TEST_CASE("apply-bundle without a running agent is exit 3") {
  CtlHarness h;
  const RunResult r = h.run({"apply-bundle", "/media/usb/bundle.pb"});
  CHECK(r.code == kExitDaemonNotRunning);
  CHECK(contains(r.err, "E_DAEMON_NOT_RUNNING"));
}

}  // namespace
}  // namespace xiaoan::ctl::testing
