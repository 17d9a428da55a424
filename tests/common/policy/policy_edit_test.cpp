// xiaoan-admin policy set: one field by its path.
#include "common/policy/policy_edit.h"

#include <doctest/doctest.h>

namespace xiaoan::policy {
namespace {

TEST_CASE("scalars, bools, enums (short names too), strings") {
  v1::Policy p;
  REQUIRE(setPolicyField(p, "agent.checkin_interval_seconds", "300", nullptr).isOk());
  REQUIRE(setPolicyField(p, "scan.max_file_bytes", "17179869184", nullptr).isOk());
  REQUIRE(setPolicyField(p, "scan.enabled", "false", nullptr).isOk());
  REQUIRE(setPolicyField(p, "binding.mode", "isolate", nullptr).isOk());
  REQUIRE(setPolicyField(p, "naming.action", "ENFORCEMENT_ACTION_REPORT", nullptr).isOk());
  REQUIRE(setPolicyField(p, "naming.pattern", "{school_abbr}{owner}", nullptr).isOk());
  REQUIRE(setPolicyField(p, "naming.hostname", "123", nullptr).isOk());
  CHECK(p.agent().checkin_interval_seconds() == 300);
  CHECK(p.scan().max_file_bytes() == 17179869184ull);  // no double rounding
  CHECK(p.scan().has_enabled());
  CHECK_FALSE(p.scan().enabled());
  CHECK(p.binding().mode() == v1::BINDING_MODE_ISOLATE);
  CHECK(p.naming().action() == v1::ENFORCEMENT_ACTION_REPORT);
  CHECK(p.naming().pattern() == "{school_abbr}{owner}");
  CHECK(p.naming().hostname() == "123");
  CHECK_FALSE(p.has_browsing());  // nothing else appears
}

TEST_CASE("lists: comma-separated or JSON; messages as JSON; replaces, does not append") {
  v1::Policy p;
  REQUIRE(setPolicyField(p, "scan.paths", "/home,/srv", nullptr).isOk());
  REQUIRE(setPolicyField(p, "scan.paths", R"(["/a,b"])", nullptr).isOk());
  REQUIRE(p.scan().paths_size() == 1);
  CHECK(p.scan().paths(0) == "/a,b");
  REQUIRE(
      setPolicyField(p, "scan.windows", R"([{"start":"22:00","end":"06:00"}])", nullptr).isOk());
  REQUIRE(p.scan().windows_size() == 1);
  CHECK(p.scan().windows(0).end() == "06:00");
  REQUIRE(setPolicyField(p, "retention", R"({"browsing_days":90})", nullptr).isOk());
  CHECK(p.retention().browsing_days() == 90);
  CHECK(p.scan().paths_size() == 1);  // other fields untouched
}

TEST_CASE("an empty value clears the field (inherit again)") {
  v1::Policy p;
  REQUIRE(setPolicyField(p, "agent.checkin_interval_seconds", "300", nullptr).isOk());
  REQUIRE(setPolicyField(p, "agent.max_upload_events_per_second", "100", nullptr).isOk());
  REQUIRE(setPolicyField(p, "agent.checkin_interval_seconds", "", nullptr).isOk());
  CHECK_FALSE(p.agent().has_checkin_interval_seconds());
  CHECK(p.agent().max_upload_events_per_second() == 100);
  REQUIRE(setPolicyField(p, "scan.paths", "", nullptr).isOk());  // absent parent: no-op
  CHECK_FALSE(p.has_scan());
}

TEST_CASE("unknown paths and unfit values are issues naming the path") {
  v1::Policy p;
  for (const char* path : {"agent.checkin", "agents.checkin_interval_seconds", "",
                           "agent.checkin_interval_seconds.x", "scan.windows.start", "."}) {
    CAPTURE(path);
    std::vector<FieldIssue> issues;
    Status st = setPolicyField(p, path, "1", &issues);
    CHECK(st.code() == ErrorCode::kInvalidArgument);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0] == FieldIssue{path, "unknown field"});
  }
  struct Bad {
    const char* path;
    const char* value;
  };
  for (Bad bad :
       {Bad{"agent.checkin_interval_seconds", "abc"}, Bad{"agent.checkin_interval_seconds", "-1"},
        Bad{"scan.enabled", "yes"}, Bad{"binding.action", "block"},
        Bad{"scan.windows", "08:00-09:00"}, Bad{"agent.checkin_interval_seconds", "1.5"}}) {
    CAPTURE(bad.path);
    CAPTURE(bad.value);
    std::vector<FieldIssue> issues;
    CHECK(setPolicyField(p, bad.path, bad.value, &issues).code() == ErrorCode::kInvalidArgument);
    REQUIRE_FALSE(issues.empty());
    CHECK(issues[0].field.rfind(bad.path, 0) == 0);
  }
  CHECK(p.ByteSizeLong() == 0);  // failed sets change nothing
}

}  // namespace
}  // namespace xiaoan::policy
