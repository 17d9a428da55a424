// xiaoanctl binding check and isolation release in-process against a fake daemon.
#include <doctest/doctest.h>

#include "agent/ctl/binding_text.h"
#include "agent/ctl/exit_code.h"
#include "tests/agent/ctl/ctl_harness.h"
#include "tests/agent/ctl/fake_daemon.h"

namespace xiaoan::ctl::testing {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

v1::ComplianceStatus violating() {
  v1::ComplianceStatus c;
  c.set_state(v1::COMPLIANCE_STATE_VIOLATION);
  auto* v = c.add_violations();
  v->set_kind(v1::VIOLATION_KIND_WRONG_GATEWAY);
  v->set_interface("eth0");
  v->set_expected("10.1.2.1");
  v->set_actual("10.1.2.254");
  auto* m = c.add_violations();
  m->set_kind(v1::VIOLATION_KIND_MAC_CHANGED);
  m->set_interface("eth0");
  m->set_expected("52:54:00:12:34:56");
  m->set_actual("02:de:ad:be:ef:01");
  return c;
}

std::unique_ptr<FakeDaemon> answering(const CtlHarness& h, v1::ComplianceStatus c) {
  return std::make_unique<FakeDaemon>(h.socketPath(), [c](const v1::ControlRequest&) {
    v1::ControlResponse r;
    *r.mutable_compliance() = c;
    return std::optional<v1::ControlResponse>(r);
  });
}

}  // namespace

TEST_CASE("binding check: every violation on a line, zh-CN by default, exit 1 in violation") {
  CtlHarness h;
  auto daemon = answering(h, violating());
  const RunResult zh = h.run({"binding", "check"}, 1000);  // any local user
  CHECK(zh.code == kExitDegraded);
  CHECK(contains(zh.out,
                 "网络绑定：违规：网关不符（eth0：应为 10.1.2.1，实际 10.1.2.254）等 2 项\n"));
  CHECK(contains(zh.out,
                 "  - MAC 地址被修改（eth0：应为 52:54:00:12:34:56，实际 02:de:ad:be:ef:01）"));
  const RunResult en = h.run({"--lang", "en", "binding", "check"});
  CHECK(contains(en.out,
                 "binding: violation: wrong gateway (eth0: expected 10.1.2.1, have "
                 "10.1.2.254) (+1 more)\n"));
  const RunResult json = h.run({"--json", "binding", "check"});
  CHECK(json.code == kExitDegraded);
  CHECK(contains(json.out, "\"VIOLATION_KIND_MAC_CHANGED\""));
  REQUIRE(daemon->requests().size() == 3);
  CHECK(daemon->requests()[0].has_binding_check());
}

TEST_CASE("binding check: compliant exits 0") {
  CtlHarness h;
  v1::ComplianceStatus c;
  c.set_state(v1::COMPLIANCE_STATE_COMPLIANT);
  auto daemon = answering(h, c);
  const RunResult r = h.run({"binding", "check"});
  CHECK(r.code == kExitHealthy);
  CHECK(r.out == "网络绑定：合规\n");
}

TEST_CASE("isolation release: root only, through the daemon") {
  CtlHarness h;
  v1::ComplianceStatus c = violating();
  auto daemon = answering(h, c);
  CHECK(h.run({"isolation", "release"}, 1000).code == kExitPermissionDenied);
  CHECK(daemon->requests().empty());
  const RunResult r = h.run({"isolation", "release"});
  CHECK(r.code == kExitHealthy);
  CHECK(contains(r.out, "已解除网络隔离\n"));
  REQUIRE(daemon->requests().size() == 1);
  CHECK(daemon->requests()[0].has_isolation_release());
  const RunResult json = h.run({"--json", "isolation", "release"});
  CHECK(json.out.rfind("{", 0) == 0);  // JSON only, no text line before it
}

TEST_CASE("one line of state and reason for status") {
  v1::ComplianceStatus c;
  CHECK(complianceLine(c, Lang::kZhCn) == "尚未检查");
  c.set_state(v1::COMPLIANCE_STATE_DISABLED);
  CHECK(complianceLine(c, Lang::kEn) == "off");
  c = violating();
  c.set_state(v1::COMPLIANCE_STATE_ISOLATED);
  c.set_restore_fights(3);
  CHECK(complianceLine(c, Lang::kEn) ==
        "isolated (only the collector reachable): wrong gateway (eth0: expected 10.1.2.1, have "
        "10.1.2.254) (+1 more); restore undone 3 times");
  v1::Violation conflict;
  conflict.set_kind(v1::VIOLATION_KIND_IP_CONFLICT);
  conflict.set_expected("10.1.2.37");
  conflict.set_other_mac("02:00:00:00:00:bb");
  CHECK(violationText(conflict, Lang::kZhCn) ==
        "IP 地址冲突（10.1.2.37 被 02:00:00:00:00:bb 使用）");
  conflict.set_interface("eth0\x1b[31m");
  CHECK_FALSE(contains(violationText(conflict, Lang::kEn), "\x1b"));
}

}  // namespace xiaoan::ctl::testing
