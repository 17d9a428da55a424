// Command-line parsing, dispatch and exit codes of xiaoanctl, run in-process.
#include "agent/ctl/ctl_app.h"
#include "common/cli/cli_args.h"

#include <doctest/doctest.h>

#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"
#include "tests/agent/ctl/sample_statuses.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("language: --lang wins, then LC_ALL, LC_MESSAGES, LANG; en* is English") {
  CHECK(langFromLocaleEnv({}) == Lang::kZhCn);
  CHECK(langFromLocaleEnv({{"LANG", "en_US.UTF-8"}}) == Lang::kEn);
  CHECK(langFromLocaleEnv({{"LANG", "zh_CN.UTF-8"}}) == Lang::kZhCn);
  CHECK(langFromLocaleEnv({{"LANG", "C"}}) == Lang::kZhCn);
  CHECK(langFromLocaleEnv({{"LANG", "de_DE.UTF-8"}}) == Lang::kZhCn);
  CHECK(langFromLocaleEnv({{"LC_ALL", "en_GB"}, {"LANG", "zh_CN"}}) == Lang::kEn);
  CHECK(langFromLocaleEnv({{"LC_ALL", ""}, {"LC_MESSAGES", "EN"}, {"LANG", "zh"}}) == Lang::kEn);
  CHECK(langFromLocaleEnv({{"LC_MESSAGES", "zh_TW"}, {"LANG", "en_US"}}) == Lang::kZhCn);
  CHECK(parseLangName("zh") == Lang::kZhCn);
  CHECK(parseLangName("zh-CN") == Lang::kZhCn);
  CHECK(parseLangName("EN") == Lang::kEn);
  CHECK_FALSE(parseLangName("fr").has_value());
  CHECK_FALSE(parseLangName("").has_value());

  CtlHarness h;
  CHECK(h.run({"help"}, 0, {{"LANG", "en_US.UTF-8"}}).out.rfind("xiaoanctl: command-line", 0) == 0);
  CHECK(h.run({"help"}, 0, {{"LANG", "en_US.UTF-8"}, {"LC_ALL", "zh_CN"}})
            .out.rfind("xiaoanctl：", 0) == 0);
  CHECK(h.run({"help", "--lang=en"}, 0, {{"LANG", "zh_CN"}})
            .out.rfind("xiaoanctl: command-line", 0) == 0);
}

TEST_CASE("help and version") {
  CtlHarness h;
  const RunResult none = h.run({});
  CHECK(none.code == kExitUsage);
  CHECK(none.out.empty());
  CHECK(contains(none.err, "用法：xiaoanctl"));

  for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
    const RunResult r = h.run(args, 1000, {{"LANG", "en_US"}});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "diagnose send-test-events"));
    CHECK(contains(r.out, "exit codes:"));
    CHECK(contains(r.out, "3  agent is not running"));
  }
  const RunResult cmd = h.run({"help", "diagnose", "send-test-events", "--lang", "en"});
  CHECK(cmd.code == 0);
  CHECK(contains(cmd.out, "usage: xiaoanctl diagnose send-test-events --count N"));
  CHECK(contains(cmd.out, "requires root."));
  const RunResult cmd2 = h.run({"status", "--help"});
  CHECK(cmd2.code == 0);
  CHECK(contains(cmd2.out, "用法：xiaoanctl status [--json]"));

  CHECK(h.run({"help", "nosuch"}).code == kExitUsage);
  const RunResult v = h.run({"version"}, 1000);
  CHECK(v.code == 0);
  CHECK(v.out == "xiaoanctl " XIAOAN_VERSION "\n");
  CHECK(contains(h.run({"version", "--json"}).out, "\"version\": \"" XIAOAN_VERSION "\""));
}

TEST_CASE("usage errors exit 2 with a message on stderr and nothing on stdout") {
  CtlHarness h;
  const std::vector<std::vector<std::string>> bad = {
      {"frobnicate"},
      {"status", "--nope"},
      {"status", "extra"},
      {"status", "--count", "3"},  // another command's option
      {"status", "--lang", "fr"},
      {"status", "--socket"},    // missing value
      {"status", "--json=yes"},  // value given to a flag
      {"status", "--json", "--json"},
      {"version", "-v"},
      {"diagnose"},  // no such command: only "diagnose send-test-events"
  };
  for (const auto& args : bad) {
    CAPTURE(args.size());
    CAPTURE(args.back());
    const RunResult r = h.run(args);
    CHECK(r.code == kExitUsage);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "E_INVALID_ARGUMENT"));
  }
  CHECK(contains(h.run({"status", "--nope", "--lang", "en"}).err, "unknown option --nope"));
  CHECK(contains(h.run({"status", "--nope"}).err, "未知选项 --nope"));
}

TEST_CASE("send-test-events needs root and never reaches the daemon without it") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(v1::ControlResponse());
  });
  const RunResult r = h.run({"diagnose", "send-test-events", "--count", "5"}, 1000);
  CHECK(r.code == kExitPermissionDenied);
  CHECK(r.out.empty());
  CHECK(contains(r.err, "E_PERMISSION_DENIED: 权限不足，需要管理员（root）"));
  CHECK(daemon.requests().empty());
}

TEST_CASE("send-test-events validates its options before connecting") {
  CtlHarness h;  // no daemon: validation must fail first (exit 2, not 3)
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--count", "0"},
      {"--count", "1000001"},
      {"--count", "abc"},
      {"--count", "-1"},
      {"--count", "5", "--priority", "urgent"},
      {"--count", "5", "--request-id", std::string(129, 'r')},
  };
  for (auto args : bad) {
    args.insert(args.begin(), {"diagnose", "send-test-events"});
    const RunResult r = h.run(args);
    CHECK(r.code == kExitUsage);
    CHECK(contains(r.err, "E_INVALID_ARGUMENT"));
  }
}

v1::ControlResponse appended(const v1::ControlRequest& req) {
  v1::ControlResponse resp;
  auto* t = resp.mutable_test_events();
  t->set_request_id(req.send_test_events().request_id().empty()
                        ? "generated-id"
                        : req.send_test_events().request_id());
  t->set_stream(req.send_test_events().priority() == v1::PRIORITY_SECURITY ? "security"
                                                                           : "activity");
  t->set_epoch(0x1122334455667788ull);
  t->set_first_seq(101);
  t->set_last_seq(100 + req.send_test_events().count());
  t->set_appended(req.send_test_events().count());
  return resp;
}

TEST_CASE("send-test-events sends the request and prints the appended range") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest& r) {
    return std::optional<v1::ControlResponse>(appended(r));
  });
  const RunResult zh = h.run({"diagnose", "send-test-events", "--count", "5"});
  CHECK(zh.code == 0);
  CHECK(zh.out == "已追加 5 条测试事件（activity，序号 101–105）\n请求 ID：generated-id\n");

  const RunResult en = h.run({"--lang", "en", "diagnose", "send-test-events", "--count=3",
                              "--priority", "security", "--request-id", "r-42", "--text", "机房2"});
  CHECK(en.code == 0);
  CHECK(en.out == "appended 3 test events (security, seq 101–103)\nrequest id: r-42\n");

  const auto requests = daemon.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].send_test_events().count() == 5);
  CHECK(requests[0].send_test_events().priority() == v1::PRIORITY_ACTIVITY);
  CHECK(requests[0].send_test_events().request_id().empty());
  CHECK(requests[1].send_test_events().priority() == v1::PRIORITY_SECURITY);
  CHECK(requests[1].send_test_events().request_id() == "r-42");
  CHECK(requests[1].send_test_events().text() == "机房2");
}

TEST_CASE("send-test-events --json prints the response in snake_case") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest& r) {
    return std::optional<v1::ControlResponse>(appended(r));
  });
  const RunResult r =
      h.run({"diagnose", "send-test-events", "--count", "2", "--json", "--request-id", "x"});
  CHECK(r.code == 0);
  CHECK(r.out ==
        "{\n"
        " \"request_id\": \"x\",\n"
        " \"stream\": \"activity\",\n"
        " \"epoch\": \"1234605616436508552\",\n"
        " \"first_seq\": \"101\",\n"
        " \"last_seq\": \"102\",\n"
        " \"appended\": 2\n"
        "}\n");
}

TEST_CASE("send-test-events maps daemon refusals and absence to exit codes") {
  CtlHarness h;
  SUBCASE("daemon not running") {
    const RunResult r = h.run({"diagnose", "send-test-events", "--count", "1"});
    CHECK(r.code == kExitDaemonNotRunning);
    CHECK(contains(r.err, "E_DAEMON_NOT_RUNNING"));
  }
  SUBCASE("daemon refuses (SO_PEERCRED says not root)") {
    FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
      v1::ControlResponse resp;
      resp.mutable_error()->set_code("E_PERMISSION_DENIED");
      resp.mutable_error()->set_message("send_test_events needs uid 0");
      return std::optional<v1::ControlResponse>(resp);
    });
    const RunResult r = h.run({"diagnose", "send-test-events", "--count", "1"});
    CHECK(r.code == kExitPermissionDenied);
    CHECK(contains(r.err, "send_test_events needs uid 0"));
  }
  SUBCASE("daemon fails") {
    FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
      v1::ControlResponse resp;
      resp.mutable_error()->set_code("E_SPOOL_FULL");
      return std::optional<v1::ControlResponse>(resp);
    });
    const RunResult r = h.run({"diagnose", "send-test-events", "--count", "1"});
    CHECK(r.code == kExitFailure);
    CHECK(contains(r.err, "E_SPOOL_FULL: 本地缓存已满"));
  }
  SUBCASE("daemon hangs up without answering") {
    FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
      return std::optional<v1::ControlResponse>();
    });
    const RunResult r = h.run({"diagnose", "send-test-events", "--count", "1"});
    CHECK(r.code == kExitFailure);
    CHECK(contains(r.err, "E_PROTOCOL"));
  }
}

TEST_CASE("--socket overrides the config's status_socket") {
  CtlHarness h;
  const std::string other = (h.dir() / "other.sock").string();
  FakeDaemon daemon(other, [](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(statusAnswer(healthyStatus()));
  });
  CHECK(h.run({"status"}).code == kExitDaemonNotRunning);  // config socket: nobody there
  CHECK(h.run({"status", "--socket", other}).code == kExitHealthy);
  CHECK(h.run({"--socket=" + other, "status", "--json"}).code == kExitHealthy);
}

TEST_CASE("config: strict JSON, tolerant of a missing file") {
  CtlHarness h;
  FakeDaemon daemon(h.socketPath(), [](const v1::ControlRequest&) {
    return std::optional<v1::ControlResponse>(statusAnswer(healthyStatus()));
  });
  CHECK(h.run({"status"}).code == kExitHealthy);  // socket found through the config

  h.writeConfig("{\"status_socket\": \"" + h.socketPath() + "\", \"stat_dir\": \"/x\"}");
  RunResult typo = h.run({"status"});
  CHECK(typo.code == kExitFailure);
  CHECK(contains(typo.err, "E_CONFIG_INVALID"));
  CHECK(contains(typo.err, "stat_dir"));

  h.writeConfig("{not json");
  CHECK(h.run({"status"}).code == kExitFailure);

  // Missing config file: defaults apply, so --socket alone must be enough.
  const std::string missing = (h.dir() / "missing.json").string();
  CHECK(h.run({"status", "--config", missing, "--socket", h.socketPath()}).code == kExitHealthy);
  // Help and version never read the config.
  CHECK(h.run({"version", "--config", (h.dir() / "agent.json").string()}).code == 0);
}

}  // namespace
}  // namespace xiaoan::ctl::testing
