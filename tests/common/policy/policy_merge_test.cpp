// Layer precedence (policy.proto header): later layers win field by field.
#include <doctest/doctest.h>

#include "common/policy/policy_rules.h"

namespace xiaoan::policy {
namespace {

v1::Policy merged(std::initializer_list<v1::Policy> layers) {
  std::vector<v1::Policy> v(layers);
  return mergeLayers(v);
}

TEST_CASE("no layers: an empty policy; defaults alone: the defaults") {
  CHECK(mergeLayers({}).ByteSizeLong() == 0);
  v1::Policy d = builtinDefaults();
  CHECK(merged({d}).SerializeAsString() == d.SerializeAsString());
  CHECK(d.agent().checkin_interval_seconds() == 60);
  CHECK(d.agent().max_upload_events_per_second() == 2000);
  CHECK(d.retention().browsing_days() == 90);
  CHECK(d.retention().session_days() == 60);
  CHECK(d.browsing().enabled());
  CHECK(d.browsing().poll_interval_seconds() == 120);
  CHECK(d.retention().security_days() == 180);
  CHECK(d.scan().cpu_percent() == 25);
  CHECK(d.scan().io_mib_per_second() == 20);
  CHECK(d.scan().file_timeout_seconds() == 60);
  CHECK(d.scan().quarantine_max_bytes() == 1ull << 30);
  CHECK(d.scan().quarantine_max_files() == 1000);
  CHECK(d.scan().quarantine_reserve_bytes() == 512ull << 20);
  CHECK(d.scan().removable_media());
  REQUIRE(d.scan().on_access_paths_size() == 3);
  CHECK(d.scan().on_access_paths(0) == "~/Downloads");
}

TEST_CASE("a scalar set in a later layer wins; unset inherits; set-to-zero/false differs") {
  v1::Policy school;
  school.mutable_agent()->set_checkin_interval_seconds(300);
  school.mutable_scan()->set_enabled(true);
  v1::Policy room;
  room.mutable_agent()->set_max_upload_events_per_second(500);
  v1::Policy terminal;
  terminal.mutable_scan()->set_enabled(false);  // explicit false overrides school's true
  v1::Policy p = merged({builtinDefaults(), school, room, terminal});
  CHECK(p.agent().checkin_interval_seconds() == 300);
  CHECK(p.agent().max_upload_events_per_second() == 500);
  CHECK(p.scan().has_enabled());
  CHECK_FALSE(p.scan().enabled());
  CHECK(p.scan().cpu_percent() == 25);  // from the defaults
  CHECK(p.retention().security_days() == 180);
  // Order matters: the school layer after the room one wins.
  v1::Policy later_school;
  later_school.mutable_agent()->set_max_upload_events_per_second(50);
  CHECK(merged({room, later_school}).agent().max_upload_events_per_second() == 50);
  CHECK(merged({later_school, room}).agent().max_upload_events_per_second() == 500);
}

TEST_CASE("a non-empty repeated field replaces the whole list; an empty one inherits") {
  v1::Policy school;
  school.mutable_scan()->add_paths("/home");
  school.mutable_scan()->add_paths("/srv");
  auto* w = school.mutable_scan()->add_windows();
  w->set_start("08:00");
  w->set_end("12:00");
  v1::Policy room;
  room.mutable_scan()->add_paths("/data");
  v1::Policy terminal;  // no paths: inherits the room's
  v1::Policy p = merged({school, room, terminal});
  REQUIRE(p.scan().paths_size() == 1);
  CHECK(p.scan().paths(0) == "/data");
  REQUIRE(p.scan().windows_size() == 1);  // untouched by the room
  CHECK(p.scan().windows(0).start() == "08:00");
  v1::Policy windows;
  auto* w2 = windows.mutable_scan()->add_windows();
  w2->set_start("22:00");
  w2->set_end("06:00");
  v1::Policy q = merged({school, windows});
  REQUIRE(q.scan().windows_size() == 1);
  CHECK(q.scan().windows(0).start() == "22:00");
  CHECK(q.scan().paths_size() == 2);
}

TEST_CASE("enums: a non-UNSPECIFIED value wins, UNSPECIFIED inherits") {
  v1::Policy school;
  school.mutable_binding()->set_mode(v1::BINDING_MODE_ISOLATE);
  v1::Policy room;
  room.mutable_binding()->set_enabled(true);  // mode left UNSPECIFIED
  CHECK(merged({builtinDefaults(), school, room}).binding().mode() == v1::BINDING_MODE_ISOLATE);
  v1::Policy terminal;
  terminal.mutable_binding()->set_mode(v1::BINDING_MODE_REPORT);
  CHECK(merged({school, room, terminal}).binding().mode() == v1::BINDING_MODE_REPORT);
  CHECK(merged({builtinDefaults(), room}).binding().mode() == v1::BINDING_MODE_REPORT);
}

TEST_CASE("messages merge recursively; inputs are not modified") {
  v1::Policy a;
  a.mutable_naming()->set_pattern("{school_abbr}{owner}");
  a.mutable_naming()->set_enabled(true);
  v1::Policy b;
  b.mutable_naming()->set_hostname("pc-7");
  const std::string a_before = a.SerializeAsString();
  v1::Policy p = merged({a, b});
  CHECK(p.naming().pattern() == "{school_abbr}{owner}");
  CHECK(p.naming().hostname() == "pc-7");
  CHECK(p.naming().enabled());
  CHECK(a.SerializeAsString() == a_before);
  CHECK_FALSE(p.has_scan());  // nothing set anywhere: stays unset
}

}  // namespace
}  // namespace xiaoan::policy
