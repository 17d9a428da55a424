#include "agent/naming/hostname_enforcer.h"

#include <doctest/doctest.h>

#include "tests/fakes/fake_hostname_control.h"

namespace xiaoan::agent {
namespace {

struct Harness {
  testing::FakeHostnameControl control;
  std::unique_ptr<TextCodec> codec = makeTextCodec();
  HostnameEnforcer linux_enforcer{control, *codec, naming::HostOs::kLinux};
  HostnameEnforcer windows_enforcer{control, *codec, naming::HostOs::kWindows};
};

v1::NamingPolicy teacherRule(v1::EnforcementAction action) {
  v1::NamingPolicy p;
  p.set_enabled(true);
  p.set_action(action);
  p.set_pattern("{school_abbr}{owner}");
  p.set_school_abbr("沙中");
  p.set_owner("李维");
  return p;
}

}  // namespace

TEST_CASE("naming off, or nothing asked: no check, no rename") {
  Harness h;
  v1::NamingPolicy off = teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE);
  off.set_enabled(false);
  CHECK(h.linux_enforcer.check(off).violations.empty());
  v1::NamingPolicy empty;
  empty.set_enabled(true);
  CHECK(h.linux_enforcer.check(empty).violations.empty());
  CHECK(h.control.renames == 0);
}

TEST_CASE("report: a wrong name is one HOSTNAME violation naming both forms; nothing renamed") {
  Harness h;
  NamingCheck c = h.linux_enforcer.check(teacherRule(v1::ENFORCEMENT_ACTION_REPORT));
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].kind() == v1::VIOLATION_KIND_HOSTNAME);
  CHECK(c.expected_hostname == "shazhongliwei");
  CHECK(c.violations[0].expected().find("沙中李维") != std::string::npos);
  CHECK(c.violations[0].actual() == "lab1-pc07");
  CHECK(h.control.renames == 0);
}

TEST_CASE("enforce on Linux: static ASCII name + Chinese pretty name, compliant at once") {
  Harness h;
  NamingCheck c = h.linux_enforcer.check(teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE));
  CHECK(c.renamed);
  CHECK_FALSE(c.pending_reboot);
  CHECK(c.violations.empty());
  CHECK(h.control.names.running == c.expected_hostname);
  CHECK(h.control.names.static_name == c.expected_hostname);
  CHECK(h.control.names.pretty == "沙中李维");
  // The next check finds it compliant and does not rename again.
  CHECK(h.linux_enforcer.check(teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE)).violations.empty());
  CHECK(h.control.renames == 1);
}

TEST_CASE("enforce on Windows: the rename is pending until a reboot and stays a violation") {
  Harness h;
  h.control.pending_reboot = true;
  NamingCheck c = h.windows_enforcer.check(teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE));
  CHECK(c.renamed);
  CHECK(c.pending_reboot);
  CHECK(c.expected_hostname == "沙中李维");
  REQUIRE(c.violations.size() == 1);
  CHECK(h.control.names.running == "lab1-pc07");
}

TEST_CASE("a failed rename is reported with its error, the violation stays") {
  Harness h;
  h.control.fail_with = Status(ErrorCode::kPermissionDenied, "sethostname");
  NamingCheck c = h.linux_enforcer.check(teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE));
  CHECK_FALSE(c.renamed);
  CHECK(c.rename_status.code() == ErrorCode::kPermissionDenied);
  CHECK(c.violations.size() == 1);
}

TEST_CASE("a rule that fits nowhere is NAMING_RULE_UNUSABLE, never a rename") {
  Harness h;
  v1::NamingPolicy p = teacherRule(v1::ENFORCEMENT_ACTION_ENFORCE);
  p.set_pattern("{school_abbr}{owner}{room}");  // no room value
  p.clear_fallback();
  NamingCheck c = h.windows_enforcer.check(p);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].kind() == v1::VIOLATION_KIND_NAMING_RULE_UNUSABLE);
  CHECK(h.control.renames == 0);
}

TEST_CASE("the fallback applies on Windows when the name is over 15 GBK bytes, with a note") {
  Harness h;
  v1::NamingPolicy p = teacherRule(v1::ENFORCEMENT_ACTION_REPORT);
  p.set_school_abbr("沙河中学");
  p.set_owner("欧阳娜娜");  // 8 characters = 16 GBK bytes
  p.set_fallback("{room}-{seat:02}");
  p.set_room("T");
  p.set_seat(7);
  NamingCheck c = h.windows_enforcer.check(p);
  CHECK(c.expected_hostname == "T-07");
  CHECK_FALSE(c.note.empty());
}

}  // namespace xiaoan::agent
